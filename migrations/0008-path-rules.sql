-- The path rule of src/lib/catalog/category-path.ts, for queries: a directory's path
-- relative to its category's top directory. '' for the top itself, NULL when the name is not
-- under the top (a look-alike prefix such as pub/fedora-secondary under pub/fedora is not);
-- a top written with a trailing slash means the same directory; an empty top is the root.
-- IMMUTABLE and plain SQL, so the planner inlines it.
create function mm_path_in_category(name text, top text) returns text
language sql immutable
as $$
  select case
    when name = rtrim(top, '/') then ''
    when rtrim(top, '/') = '' then name
    when left(name, length(rtrim(top, '/')) + 1) = rtrim(top, '/') || '/' then substr(name, length(rtrim(top, '/')) + 2)
  end
$$;
