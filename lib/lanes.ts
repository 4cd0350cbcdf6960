// Runs work over a list with at most `lanes` items in flight, each lane taking the next item as
// soon as its last one settles: a slow file does not hold back the others the way fixed-size
// batches would. Results come back in the list's order. As with Promise.all, the first failure
// rejects; the other lanes finish the list meanwhile, so nothing is left running unobserved.
export async function mapInLanes<T, R> (items: readonly T[], lanes: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await work(items[i], i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane))
  return results
}
