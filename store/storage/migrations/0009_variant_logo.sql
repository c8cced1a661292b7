-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 0009_variant_logo: a variant's logo option - how the company logo is
-- applied to it ("Embroidered", "Printed", or '' when the item has no
-- choice) - next to its size, colour and fit. HR's dress codes may approve
-- some logo options only (catalog-policies: "logos"), and the product page
-- offers the choice like the others.

ALTER TABLE variants ADD COLUMN logo TEXT NOT NULL DEFAULT ''
	CHECK (length(logo) <= 32);
