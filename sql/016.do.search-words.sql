-- Search by words (lib/library/search-words.ts). A query word is first matched against the
-- library's distinct folded words, a table of tens of thousands of short strings where a
-- substring or a typo is found in a few milliseconds; the rows holding those words are then
-- found through the word arrays below, instead of testing a trigram condition on every row whose
-- text shares a few letters with the query.
--
-- COLLATE "C": the primary key's btree then serves LIKE 'prefix%' as well as equality.
-- uses: how often the word occurs in the searched columns, so a search can tell a word held by
-- a handful of rows from one held by thousands before asking for the rows.
CREATE TABLE search_words (
  word text COLLATE "C" PRIMARY KEY,
  uses integer NOT NULL
);
CREATE INDEX search_words_trgm_idx ON search_words USING gin (word gin_trgm_ops);

-- Which library version (library_changes.id, sql/002) the words were taken from: a search
-- finding an older one refreshes them first, so whatever writes rows, the words follow.
CREATE TABLE search_words_version (
  library_change bigint NOT NULL
);
INSERT INTO search_words_version VALUES (0);

-- The words of each row, the same split the refresh makes: `words && $1` finds the rows holding
-- any of the matched words.
CREATE INDEX tracks_search_words_idx ON tracks USING gin (string_to_array(search_key, ' '));
CREATE INDEX albums_search_words_idx ON albums USING gin (string_to_array(search_key, ' '));
CREATE INDEX artists_search_words_idx ON artists USING gin (string_to_array(name_key, ' '));
-- The planner reads `words && '{...}'` through the most common words: a word outside that list
-- counts as 0.5% of the rows (PostgreSQL's default), so forty rare words look like a third of
-- the table and it scans every row instead of reading the index. A longer list brings that
-- default down to the frequency of rare words.
ALTER INDEX tracks_search_words_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX albums_search_words_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX artists_search_words_idx ALTER COLUMN 1 SET STATISTICS 1000;
