-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 0002_catalog: the catalog - categories, products and their tags,
-- orderable variants, pictures (stored here: the appliance is one SQLite
-- file) and a full-text index for the storefront's search box.
--
-- Rows that orders may reference (products, variants) are never deleted by
-- Livery: a re-import upserts them by slug/SKU and deactivates what the file
-- no longer lists, so a variant keeps its id for ever. The domain code that
-- reads and writes these tables is store/domain/catalog.c and catalog_csv.c.

CREATE TABLE categories (
	id INTEGER PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 64),
	name TEXT NOT NULL CHECK (length(name) >= 1),
	parent_id INTEGER REFERENCES categories(id),  -- optional; not set by the CSV import
	position INTEGER NOT NULL DEFAULT 0            -- display order (the CSV's order)
) STRICT;

CREATE TABLE products (
	id INTEGER PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 64),
	name TEXT NOT NULL CHECK (length(name) >= 1),
	description TEXT NOT NULL DEFAULT '',
	category_id INTEGER NOT NULL REFERENCES categories(id),
	-- 1: shown only to employees whom a policy admits (hidden from everyone
	-- else, including when no policy mentions it)
	restricted INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1)),
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	position INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX products_by_category ON products(category_id, active, position);

CREATE TABLE product_tags (
	product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
	tag TEXT NOT NULL CHECK (length(tag) BETWEEN 1 AND 32),
	PRIMARY KEY (product_id, tag)
) STRICT, WITHOUT ROWID;

CREATE INDEX product_tags_by_tag ON product_tags(tag, product_id);

CREATE TABLE images (
	id INTEGER PRIMARY KEY,
	product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
	name TEXT NOT NULL,                   -- the file name the CSV gave
	content_type TEXT NOT NULL CHECK (content_type IN
		('image/svg+xml', 'image/png', 'image/jpeg', 'image/webp')),
	data BLOB NOT NULL,
	sha256 TEXT NOT NULL CHECK (length(sha256) = 64),  -- hex, for the ETag and the URL
	position INTEGER NOT NULL DEFAULT 0,
	UNIQUE (product_id, name)
) STRICT;

CREATE INDEX images_by_product ON images(product_id, position);

CREATE TABLE variants (
	id INTEGER PRIMARY KEY,
	product_id INTEGER NOT NULL REFERENCES products(id),
	sku TEXT NOT NULL UNIQUE CHECK (length(sku) BETWEEN 1 AND 64),
	size TEXT NOT NULL DEFAULT '',
	colour TEXT NOT NULL DEFAULT '',
	fit TEXT NOT NULL DEFAULT '',
	price INTEGER NOT NULL CHECK (price >= 0),     -- minor units of the store's currency
	stock INTEGER NOT NULL CHECK (stock >= 0),
	image_id INTEGER REFERENCES images(id) ON DELETE SET NULL,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	position INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	-- sizes in the order people expect: letter sizes, then numbers
	-- (shoe sizes, waist), then anything else alphabetically
	size_rank INTEGER GENERATED ALWAYS AS (
		CASE upper(size)
		WHEN '' THEN 0
		WHEN 'XXS' THEN 10 WHEN 'XS' THEN 20 WHEN 'S' THEN 30
		WHEN 'M' THEN 40 WHEN 'L' THEN 50 WHEN 'XL' THEN 60
		WHEN 'XXL' THEN 70 WHEN '2XL' THEN 70
		WHEN 'XXXL' THEN 80 WHEN '3XL' THEN 80
		ELSE CASE WHEN size GLOB '[0-9]*' THEN 1000 + CAST(size AS INTEGER)
			ELSE 1000000 END
		END) VIRTUAL
) STRICT;

CREATE INDEX variants_by_product ON variants(product_id, active, position);
CREATE INDEX variants_by_size ON variants(size, product_id) WHERE active = 1;
CREATE INDEX variants_by_colour ON variants(colour, product_id) WHERE active = 1;

-- What the search box searches, one row per product. The full-text index
-- below reads its text from here (external content); catalog_search_reindex()
-- rebuilds it after an import. It cannot be kept by triggers because the
-- connections run with trusted_schema=OFF, which forbids virtual tables in
-- triggers.
CREATE VIEW product_search (id, name, description, category, tags) AS
	SELECT p.id, p.name, p.description, c.name,
		(SELECT group_concat(t.tag, ' ') FROM product_tags t
			WHERE t.product_id = p.id)
	FROM products p JOIN categories c ON c.id = p.category_id;

CREATE VIRTUAL TABLE product_fts USING fts5(
	name, description, category, tags,
	content = 'product_search', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3'
);
