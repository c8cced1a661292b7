-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 0007_catalog_generation: a counter that changes whenever what catalog
-- policies decide on changes (a product's slug, category, tags or
-- restricted flag; a category's slug), so that the server's cache of
-- who may see which product (store/domain/policy_runtime.c) knows when to
-- rebuild, even after a catalog import run by another process. Stock and
-- prices live in variants and do not count.

CREATE TABLE catalog_generation (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n INTEGER NOT NULL
) STRICT;

INSERT INTO catalog_generation (id, n) VALUES (1, 0);

CREATE TRIGGER catalog_generation_product_insert AFTER INSERT ON products
BEGIN UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_generation_product_update
AFTER UPDATE OF slug, category_id, restricted, active ON products
BEGIN UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_generation_product_delete AFTER DELETE ON products
BEGIN UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_generation_tag_insert AFTER INSERT ON product_tags
BEGIN UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_generation_tag_delete AFTER DELETE ON product_tags
BEGIN UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catalog_generation_category_update AFTER UPDATE OF slug ON categories
BEGIN UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
