-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 0003_catalog_speed: the storefront's listing - what the product list, its
-- size and colour filters and the category navigation show, worked out
-- once when the catalog changes instead of from every variant on every
-- page view (docs/performance.md has the measurements).
--
-- listing_products holds one row per active product that has at least one
-- active variant (restricted ones included: the reader filters them), in
-- catalog order; listing_sizes and listing_colours hold the distinct sizes
-- and colours of each such product's active variants. Each carries its
-- product's category and restricted flag so that the facets are one index
-- scan without a join. The *_source views below say what the tables must
-- hold; catalog_listing_refresh() (store/domain/catalog.c) copies them into
-- the tables, and whatever changes products, variants, pictures or category
-- positions must call it in the same transaction (see catalog.h).
--
-- The per-product JSON arrays (listing_products.colours and .sizes) are
-- built by the INSERT at the end of this file and by the same statement in
-- catalog.c, not by a view: connections run with trusted_schema=OFF, under
-- which SQLite 3.40 refuses JSON functions in views.

CREATE VIEW listing_sizes_source (product_id, size_rank, size, category_id,
	restricted) AS
	SELECT v.product_id, min(v.size_rank), v.size, p.category_id,
		p.restricted
	FROM variants v JOIN products p ON p.id = v.product_id
	WHERE v.active = 1 AND v.size <> '' AND p.active = 1
	GROUP BY v.product_id, v.size;

CREATE TABLE listing_sizes (
	product_id INTEGER NOT NULL REFERENCES products(id),
	size_rank INTEGER NOT NULL,          -- variants.size_rank of size
	size TEXT NOT NULL,
	category_id INTEGER NOT NULL,
	restricted INTEGER NOT NULL,
	PRIMARY KEY (product_id, size_rank, size)
) STRICT, WITHOUT ROWID;

-- the size facet: distinct sizes in size order, without a sort
CREATE INDEX listing_sizes_facet
	ON listing_sizes(size_rank, size, category_id, restricted);

-- a product's colours in the order its file first lists them
CREATE VIEW listing_colours_source (product_id, position, colour,
	category_id, restricted) AS
	SELECT v.product_id, min(v.position), v.colour, p.category_id,
		p.restricted
	FROM variants v JOIN products p ON p.id = v.product_id
	WHERE v.active = 1 AND v.colour <> '' AND p.active = 1
	GROUP BY v.product_id, v.colour;

CREATE TABLE listing_colours (
	product_id INTEGER NOT NULL REFERENCES products(id),
	position INTEGER NOT NULL,           -- of its first active variant
	colour TEXT NOT NULL,
	category_id INTEGER NOT NULL,
	restricted INTEGER NOT NULL,
	PRIMARY KEY (product_id, position, colour)
) STRICT, WITHOUT ROWID;

CREATE INDEX listing_colours_facet
	ON listing_colours(colour, category_id, restricted);

CREATE VIEW listing_products_source (product_id, category_position, position,
	category_id, restricted, price_from, in_stock, image_url) AS
	SELECT p.id, c.position, p.position, p.category_id, p.restricted,
		(SELECT min(v.price) FROM variants v
			WHERE v.product_id = p.id AND v.active = 1),
		EXISTS (SELECT 1 FROM variants v
			WHERE v.product_id = p.id AND v.active = 1
			AND v.stock > 0),
		(SELECT '/media/' || i.id || '-' || substr(i.sha256, 1, 8) || '.'
			|| CASE i.content_type WHEN 'image/svg+xml' THEN 'svg'
			WHEN 'image/png' THEN 'png' WHEN 'image/jpeg' THEN 'jpg'
			ELSE 'webp' END
			FROM images i WHERE i.product_id = p.id
			ORDER BY i.position, i.id LIMIT 1)
	FROM products p JOIN categories c ON c.id = p.category_id
	WHERE p.active = 1 AND EXISTS (SELECT 1 FROM variants v
		WHERE v.product_id = p.id AND v.active = 1);

CREATE TABLE listing_products (
	product_id INTEGER NOT NULL UNIQUE REFERENCES products(id),
	category_position INTEGER NOT NULL,
	position INTEGER NOT NULL,
	category_id INTEGER NOT NULL,
	restricted INTEGER NOT NULL,
	price_from INTEGER NOT NULL,         -- over the active variants
	in_stock INTEGER NOT NULL,           -- 1: an active variant has stock
	image_url TEXT,                      -- the first picture's, or NULL
	colours TEXT NOT NULL,               -- JSON array, see listing_colours
	sizes TEXT NOT NULL,                 -- JSON array, see listing_sizes
	-- catalog order, so that a page of the catalog is a range of the table
	PRIMARY KEY (category_position, position, product_id)
) STRICT, WITHOUT ROWID;

-- the category navigation's counts
CREATE INDEX listing_products_by_category
	ON listing_products(category_id, restricted);

-- the category navigation's order
CREATE INDEX categories_in_order ON categories(position, name);

-- a size or colour filter: a product's fitting variants, price and stock
-- from the index alone, and "has it in this size and colour" in one seek
CREATE INDEX variants_fit
	ON variants(product_id, active, size, colour, price, stock);

-- a catalog imported before this migration is listed at once
INSERT INTO listing_sizes SELECT * FROM listing_sizes_source;
INSERT INTO listing_colours SELECT * FROM listing_colours_source;
INSERT INTO listing_products
	SELECT s.*,
		(SELECT json_group_array(colour) FROM (SELECT o.colour
			FROM listing_colours o WHERE o.product_id = s.product_id
			ORDER BY o.position, o.colour)),
		(SELECT json_group_array(size) FROM (SELECT z.size
			FROM listing_sizes z WHERE z.product_id = s.product_id
			ORDER BY z.size_rank, z.size))
	FROM listing_products_source s;
