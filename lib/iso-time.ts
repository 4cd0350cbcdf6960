// Timestamps come out of a row as a Date or as text, depending on the driver and the query;
// either way the API sends ISO 8601 in UTC.
export function iso (value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString()
}
