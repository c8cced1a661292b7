#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""make-demo.py - writes the demo catalog of Northwind Group: catalog.csv and
one flat SVG picture per product (per colour for a few) under images/.

Northwind Group is the demo company: a bank (branches, Retail Banking), a
warehouse and a theme park. The pictures are drawn here from simple shapes:
viewBox-based, no scripts, no fonts, no external references, a few KB each,
made for a white card. Run it again after changing the product table; the
output is deterministic, so the committed files only change when this does.

    python3 demo/catalog/make-demo.py [--preview sheet.svg]
"""
import csv
import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

TEAL = "#0f8b8d"
GOLD = "#f5b700"
NAVY = "#1f2f4f"

COLOURS = {
    "Navy": NAVY, "White": "#f7f7f4", "Light blue": "#a9c8e8",
    "Charcoal": "#4a4d55", "Grey": "#9aa0a8", "Teal": TEAL,
    "Black": "#2d2e33", "Khaki": "#b59f6b", "Beige": "#d8c3a0",
    "Yellow": "#dcef2a", "Orange": "#ff7f1e", "Red": "#c8323c",
    "Clear": "#d7ecf3", "Natural": "#ece3cc", "Steel": "#b8bec6",
    "Silver": "#c9ccd1", "Tinted": "#4b5563", "Burgundy": "#7a2338",
    "Sky": "#5fa8d3", "Sand": "#e4d3ad", "Green": "#3f7f4f",
}


def shade(hexc, f=0.72):
    """A darker (f < 1) or lighter (f > 1) tone of a colour, for outlines."""
    r, g, b = (int(hexc[i:i + 2], 16) for i in (1, 3, 5))
    if f > 1:
        r, g, b = (int(v + (255 - v) * (f - 1)) for v in (r, g, b))
    else:
        r, g, b = (int(v * f) for v in (r, g, b))
        if min(r, g, b) > 200:   # white garments still need an outline
            r, g, b = 185, 188, 192
    return "#%02x%02x%02x" % (r, g, b)


def logo(x, y, s=1.0, on=None):
    """The Northwind "N" mark: a rounded square with an N drawn as a path."""
    bg, fg = (GOLD, NAVY) if on in (TEAL, "#dcef2a", "#ff7f1e") else (TEAL, "#fff")
    return ('<g transform="translate(%g %g) scale(%g)">'
            '<rect x="-10" y="-10" width="20" height="20" rx="4" fill="%s"/>'
            '<path d="M-5.5 6V-6h2.6l5.4 7.8V-6h2.4v12H2.3l-5.4-7.8V6z" '
            'fill="%s"/></g>' % (x, y, s, bg, fg))


def shadow(rx=92, cy=272):
    return ('<ellipse cx="150" cy="%d" rx="%d" ry="7" fill="#000" '
            'opacity=".08"/>' % (cy, rx))


def g(c, d, body):
    """Shapes that share the garment's fill and outline."""
    return ('<g fill="%s" stroke="%s" stroke-width="2.5" '
            'stroke-linejoin="round" stroke-linecap="round">%s</g>' % (c, d, body))


def line(d, path, w=2):
    return '<path d="%s" fill="none" stroke="%s" stroke-width="%g" stroke-linecap="round"/>' % (path, d, w)


# --- tops -----------------------------------------------------------------

TEE = ("M118 58Q150 80 182 58L228 74L258 118L226 134L214 118V252H86V118"
       "L74 134L42 118L72 74Z")
LONG = ("M118 58Q150 80 182 58L228 74Q246 90 252 130L264 204L238 210"
        "L222 142L214 130V252H86V130L78 142L62 210L36 204L48 130Q54 90 72 74Z")


def tshirt(c, d):
    return shadow() + g(c, d, '<path d="%s"/>' % TEE) + \
        line(d, "M118 58Q150 88 182 58") + logo(188, 108, 0.9, c)


def longsleeve(c, d):
    return shadow() + g(c, d, '<path d="%s"/>' % LONG) + \
        line(d, "M118 58Q150 88 182 58") + line(d, "M40 192L62 197M260 192L238 197") + \
        logo(188, 108, 0.9, c)


def sporttee(c, d):
    return shadow() + g(c, d, '<path d="%s"/>' % TEE) + \
        line(d, "M118 58Q150 88 182 58") + \
        '<path d="M86 150L214 120V138L86 168Z" fill="#fff" opacity=".55"/>' + \
        logo(188, 100, 0.9, c)


def polo(c, d, trim=None):
    t = trim or (c if c == COLOURS["White"] else shade(c, 0.85))
    return shadow() + g(c, d, '<path d="%s"/>' % TEE) + \
        g(c, d, '<path d="M143 72h14v44h-14z"/>') + \
        '<circle cx="150" cy="86" r="2.4" fill="%s"/><circle cx="150" cy="102" r="2.4" fill="%s"/>' % (d, d) + \
        g(t, d, '<path d="M118 58L150 72L138 94L112 70Z"/><path d="M182 58L150 72L162 94L188 70Z"/>') + \
        line(d, "M226 134L214 118M74 134L86 118", 2) + logo(188, 118, 0.9, c)


def shirt(c, d):
    return shadow() + g(c, d, '<path d="%s"/>' % LONG) + \
        g(c, d, '<path d="M36 204L40 188L64 194L62 210Z"/><path d="M264 204L260 188L236 194L238 210Z"/>') + \
        line(d, "M150 76V252", 2) + \
        ''.join('<circle cx="156" cy="%d" r="2.6" fill="%s"/>' % (y, d) for y in (96, 130, 164, 198, 232)) + \
        g(c, d, '<path d="M118 58L150 76L136 98L110 72Z"/><path d="M182 58L150 76L164 98L190 72Z"/>') + \
        line(d, "M100 120h28v26h-28z", 1.6)


def workshirt(c, d):
    return shirt(c, d) + g(c, d, '<path d="M172 116h30v30h-30z"/>') + line(d, "M172 124h30", 1.6) + \
        logo(187, 136, 0.7, c)


def sweatshirt(c, d):
    return shadow() + g(c, d, '<path d="%s"/>' % LONG) + \
        g(shade(c, 0.9), d, '<path d="M86 238h128v14H86z"/><path d="M36 204l3-14 24 6-1 14z"/>'
          '<path d="M264 204l-3-14-24 6 1 14z"/>') + \
        g(shade(c, 0.9), d, '<path d="M118 58Q150 80 182 58L186 66Q150 94 114 66Z"/>') + \
        logo(150, 130, 1.4, c)


def quarterzip(c, d):
    return shadow() + g(c, d, '<path d="%s"/>' % LONG) + \
        g(c, d, '<path d="M120 56Q150 66 180 56L182 40Q150 50 118 40Z"/>') + \
        line(d, "M150 50V128", 3) + '<rect x="146" y="124" width="8" height="12" rx="2" fill="%s"/>' % d + \
        logo(188, 112, 0.9, c)


def cardigan(c, d):
    return shadow() + g(c, d, '<path d="%s"/>' % LONG) + \
        '<path d="M118 58L150 140L182 58Q150 80 118 58Z" fill="#f7f7f4" stroke="%s" stroke-width="2"/>' % d + \
        line(d, "M118 58L150 140L182 58M150 140V252", 2.5) + \
        ''.join('<circle cx="156" cy="%d" r="3" fill="%s"/>' % (y, d) for y in (156, 184, 212, 240)) + \
        line(d, "M86 238h128", 1.5)


def hoodie(c, d):
    return shadow() + g(c, d, '<path d="M112 62Q108 24 150 22Q192 24 188 62Q150 84 112 62Z"/>') + \
        g(c, d, '<path d="%s"/>' % LONG) + \
        g(shade(c, 0.85), d, '<path d="M122 62Q150 40 178 62Q150 82 122 62Z"/>') + \
        line(d, "M140 74v40M160 74v40", 2) + \
        g(c, d, '<path d="M104 186h92l14 46H90Z"/>') + \
        logo(150, 148, 1.2, c)


# --- jackets and coats ------------------------------------------------------

JACKET = ("M116 50Q150 64 184 50L230 70Q248 88 254 130L266 214L240 220L224 150"
          "L216 140V260H84V140L76 150L60 220L34 214L46 130Q52 88 70 70Z")
LONGCOAT = ("M116 50Q150 64 184 50L230 70Q248 88 254 130L266 214L240 220L224 150"
            "L218 140L226 282H74L82 140L76 150L60 220L34 214L46 130Q52 88 70 70Z")


def blazer(c, d):
    return shadow() + g(c, d, '<path d="%s"/>' % JACKET) + \
        '<path d="M126 54L150 132L174 54Q150 64 126 54Z" fill="#f7f7f4"/>' + \
        '<path d="M143 62h14l4 10-11 60-11-60z" fill="%s"/>' % TEAL + \
        g(c, d, '<path d="M116 50L150 150L132 108L108 96L120 84Z"/><path d="M184 50L150 150L168 108L192 96L180 84Z"/>') + \
        line(d, "M150 150V260", 2) + \
        '<circle cx="156" cy="176" r="3.5" fill="%s"/><circle cx="156" cy="212" r="3.5" fill="%s"/>' % (d, d) + \
        line(d, "M96 196h34M170 196h34M180 112h22", 2.2)


def fleece(c, d):
    return shadow() + g(c, d, '<path d="%s"/>' % JACKET) + \
        g(shade(c, 0.9), d, '<path d="M118 52Q150 62 182 52L184 34Q150 44 116 34Z"/>') + \
        line(d, "M150 40V260", 3) + line(d, "M176 112l20-4", 2.5) + \
        '<path d="M84 246H216V260H84Z" fill="%s" opacity=".35"/>' % d + logo(110, 112, 0.9, c)


def softshell(c, d):
    return shadow() + g(c, d, '<path d="%s"/>' % JACKET) + \
        g(c, d, '<path d="M118 52Q150 62 182 52L186 30Q150 42 114 30Z"/>') + \
        line(d, "M150 34V260", 3) + line(d, "M84 150Q120 140 150 150Q180 140 216 150", 1.8) + \
        line(d, "M98 200l26 2M176 202l26-2", 2.5) + logo(186, 110, 0.9, c)


def rainjacket(c, d):
    return shadow() + g(c, d, '<path d="M108 62Q102 16 150 14Q198 16 192 62Z"/>') + \
        g(c, d, '<path d="%s"/>' % JACKET) + \
        g(shade(c, 0.85), d, '<path d="M120 58Q150 30 180 58Q150 70 120 58Z"/>') + \
        line(d, "M150 62V260", 3) + line(d, "M92 190h36M172 190h36", 3) + \
        line(d, "M84 236Q150 248 216 236", 1.6) + logo(186, 112, 0.9, c)


def parka(c, d):
    fur = "#e9dcc3"
    return shadow(cy=286) + g(c, d, '<path d="M104 64Q96 12 150 10Q204 12 196 64Z"/>') + \
        g(c, d, '<path d="%s"/>' % LONGCOAT) + \
        '<path d="M108 62Q100 22 150 20Q200 22 192 62Q184 40 150 38Q116 40 108 62Z" fill="%s" ' \
        'stroke="#cdbd9f" stroke-width="3" stroke-dasharray="2 5" stroke-linecap="round"/>' % fur + \
        line(d, "M150 62V282", 3) + \
        g(c, d, '<path d="M92 190h40v40H92z"/><path d="M168 190h40v40h-40z"/>') + \
        line(d, "M92 200h40M168 200h40", 2) + logo(186, 116, 0.9, c)


def gilet(c, d):
    body = "M116 50Q150 64 184 50L206 64Q210 110 218 130V256H82V130Q90 110 94 64Z"
    return shadow() + g(c, d, '<path d="%s"/>' % body) + \
        g(c, d, '<path d="M118 52Q150 62 182 52L184 36Q150 46 116 36Z"/>') + \
        ''.join(line(d, "M84 %dQ150 %d 216 %d" % (y, y + 6, y), 1.6) for y in (100, 140, 180, 220)) + \
        line(d, "M150 42V256", 3) + logo(180, 86, 0.8, c)


def trench(c, d):
    return shadow(cy=286) + g(c, d, '<path d="%s"/>' % LONGCOAT) + \
        g(c, d, '<path d="M116 50L150 120L128 100L102 98L112 80Z"/><path d="M184 50L150 120L172 100L198 98L188 80Z"/>') + \
        g(shade(c, 0.9), d, '<path d="M80 164H220V178H80Z"/>') + \
        '<rect x="140" y="160" width="20" height="22" rx="3" fill="none" stroke="%s" stroke-width="3"/>' % shade(c, 0.5) + \
        ''.join('<circle cx="%d" cy="%d" r="3.5" fill="%s"/>' % (x, y, shade(c, 0.45))
                for x in (130, 170) for y in (130, 204, 236)) + \
        line(d, "M150 178V282", 2)


def waistcoat(c, d):
    body = "M112 50L150 140L188 50L210 70Q214 120 220 150L214 250L160 262L150 252L140 262L86 250L80 150Q86 120 90 70Z"
    return shadow() + \
        '<path d="M112 50Q150 60 188 50L150 140Z" fill="#f7f7f4" stroke="#c3c6ca" stroke-width="2"/>' + \
        '<path d="M143 56h14l4 10-11 56-11-56z" fill="%s"/>' % TEAL + \
        g(c, d, '<path d="%s"/>' % body) + line(d, "M150 140V252", 2) + \
        ''.join('<circle cx="156" cy="%d" r="3" fill="%s"/>' % (y, shade(c, 0.5)) for y in (160, 190, 220)) + \
        line(d, "M100 176h28M172 176h28", 2.2)


def hivis_vest(c, d):
    body = "M112 50Q150 96 188 50L212 62Q214 112 220 134V254H80V134Q86 112 88 62Z"
    band = "#d8dadf"
    return shadow() + g(c, d, '<path d="%s"/>' % body) + \
        '<path d="M80 180H220V196H80ZM80 220H220V236H80Z" fill="%s" stroke="#aeb1b7" stroke-width="1.5"/>' % band + \
        '<path d="M98 58L108 60V180H96ZM202 58L192 60V180H204Z" fill="%s" stroke="#aeb1b7" stroke-width="1.5"/>' % band + \
        line(d, "M150 80V254", 2) + logo(174, 132, 0.8, c)


def hivis_jacket(c, d):
    band = "#d8dadf"
    return shadow() + g(c, d, '<path d="%s"/>' % JACKET) + \
        g(c, d, '<path d="M118 52Q150 62 182 52L184 34Q150 44 116 34Z"/>') + \
        '<path d="M84 196H216V212H84ZM84 228H216V244H84Z" fill="%s" stroke="#aeb1b7" stroke-width="1.5"/>' % band + \
        '<path d="M38 190L264 190L266 206L36 206Z" fill="none"/>' + \
        '<path d="M43 176L63 180L61 194L41 190ZM257 176L237 180L239 194L259 190Z" fill="%s" stroke="#aeb1b7" stroke-width="1.5"/>' % band + \
        line(d, "M150 40V260", 3) + logo(182, 120, 0.9, c)


def poncho(c, d):
    return shadow(rx=110) + \
        '<path d="M112 62Q104 20 150 18Q196 20 188 62Z" fill="%s" stroke="%s" stroke-width="2.5" opacity=".85"/>' % (c, d) + \
        '<path d="M112 60Q150 80 188 60L262 236Q150 266 38 236Z" fill="%s" stroke="%s" stroke-width="2.5" ' \
        'stroke-linejoin="round" opacity=".85"/>' % (c, d) + \
        line(d, "M124 60Q150 36 176 60", 2) + logo(150, 150, 1.3, c)


# --- bottoms ----------------------------------------------------------------

def trousers(c, d):
    return shadow(rx=70, cy=268) + g(c, d, '<path d="M104 42H196L208 262H162L150 112L138 262H92Z"/>') + \
        g(c, d, '<path d="M104 42H196V58H104Z"/>') + line(d, "M150 58V104", 2) + \
        line(d, "M110 60Q118 84 108 96M190 60Q182 84 192 96", 2) + \
        line(d, "M126 120L120 256M174 120L180 256", 1.2)


def cargo(c, d):
    return trousers(c, d) + g(c, d, '<path d="M96 150h26v36H96z"/><path d="M178 150h26v36h-26z"/>') + \
        line(d, "M96 160h26M178 160h26", 2)


def skirt(c, d):
    return shadow(rx=64, cy=256) + g(c, d, '<path d="M108 62H192L204 244H96Z"/>') + \
        g(c, d, '<path d="M108 50H192V64H108Z"/>') + line(d, "M150 214V244M124 70L128 110M176 70L172 110", 2)


# --- neckwear and costume pieces --------------------------------------------

def tie(c, d):
    stripe = GOLD if c != GOLD else NAVY
    return shadow(rx=40, cy=270) + \
        '<defs><clipPath id="t"><path d="M138 62H162L174 236L150 262L126 236Z"/></clipPath></defs>' + \
        g(c, d, '<path d="M138 62H162L174 236L150 262L126 236Z"/>') + \
        '<g clip-path="url(#t)" stroke="%s" stroke-width="6" opacity=".9">' % stripe + \
        ''.join('<path d="M110 %dL190 %d"/>' % (y, y - 40) for y in range(100, 300, 34)) + '</g>' + \
        g(c, d, '<path d="M136 30H164L160 62H140Z"/>') + logo(150, 212, 0.7, c)


def scarf(c, d):
    border = GOLD
    return shadow(rx=76, cy=262) + \
        g(c, d, '<path d="M150 36L250 136L150 236L50 136Z"/>') + \
        '<path d="M150 52L234 136L150 220L66 136Z" fill="none" stroke="%s" stroke-width="3"/>' % border + \
        '<path d="M150 84L202 136L150 188L98 136Z" fill="none" stroke="#fff" stroke-width="2" opacity=".6"/>' + \
        logo(150, 136, 1.3, c)


def bowtie(c, d):
    return shadow(rx=60, cy=200) + \
        g(c, d, '<path d="M140 132L70 96Q60 136 70 176L140 146Z"/><path d="M160 132L230 96Q240 136 230 176L160 146Z"/>') + \
        g(shade(c, 0.85), d, '<rect x="136" y="122" width="28" height="30" rx="6"/>') + \
        line(d, "M92 112Q100 136 92 160M208 112Q200 136 208 160", 1.6)


def ranger_hat(c, d):
    return shadow(rx=120, cy=214) + g(c, d, '<ellipse cx="150" cy="184" rx="126" ry="28"/>') + \
        g(c, d, '<path d="M96 180Q94 100 118 84Q134 96 150 84Q166 96 182 84Q206 100 204 180Z"/>') + \
        '<path d="M96 160Q150 176 204 160L205 178Q150 194 95 178Z" fill="%s"/>' % shade(c, 0.45) + \
        line(d, "M150 86V130M132 92Q140 110 134 130M168 92Q160 110 166 130", 1.8) + logo(182, 172, 0.6, NAVY)


# --- safety -----------------------------------------------------------------

def boot(c, d):
    sole = "#1c1c1f"
    return shadow(rx=106, cy=258) + \
        g(c, d, '<path d="M80 50H156L166 148Q210 158 244 174Q262 184 262 214V232H58V112Q58 72 80 50Z"/>') + \
        '<path d="M62 214V120Q62 90 72 70" fill="none" stroke="%s" stroke-width="4" opacity=".5"/>' % shade(c, 1.6) + \
        '<path d="M56 230H264V254Q160 262 56 254Z" fill="%s"/>' % sole + \
        '<path d="M196 168Q248 178 262 208V232H200Z" fill="%s" opacity=".9"/>' % shade(c, 0.7) + \
        ''.join(line("#e8e8e8", "M%d %dh22" % (140, y), 3) for y in (72, 96, 120, 144)) + \
        '<path d="M84 52H160V64H84Z" fill="%s"/>' % GOLD + \
        line("#8a8d93", "M62 246H260", 2) + logo(100, 150, 0.9, c)


def safety_shoe(c, d):
    sole = "#ececec"
    return shadow(rx=110, cy=236) + \
        g(c, d, '<path d="M60 140Q84 110 120 110L150 116Q176 150 230 160Q260 168 262 200V214H50V160Z"/>') + \
        '<path d="M48 210H266V226Q160 236 48 226Z" fill="%s" stroke="#b9bcc1" stroke-width="2"/>' % sole + \
        line("#f7f7f4", "M128 124l14 10M138 118l14 10M148 114l14 10", 3) + \
        '<path d="M74 170Q140 156 200 184" fill="none" stroke="%s" stroke-width="6"/>' % TEAL + \
        logo(96, 184, 0.8, c)


def gloves(c, d):
    hand = ("M0 150V80Q0 70 8 70T16 80V60Q16 50 24 50T32 60V56Q32 46 40 46T48 56V64"
            "Q48 54 56 54T64 64V120L74 104Q82 94 90 100T92 116L70 160Q64 176 52 180V210H8V180Q0 170 0 150Z")
    cuff = shade(c, 0.8)
    return shadow(rx=100, cy=262) + \
        '<g transform="translate(74 40) rotate(-8)">%s%s</g>' % (
            g(c, d, '<path d="%s"/>' % hand), g(cuff, d, '<path d="M6 196H54V220H6Z"/>')) + \
        '<g transform="translate(238 46) rotate(10) scale(-1 1)">%s%s</g>' % (
            g(c, d, '<path d="%s"/>' % hand), g(cuff, d, '<path d="M6 196H54V220H6Z"/>'))


def cut_gloves(c, d):
    return gloves(c, d) + '<path d="M80 100h40M84 120h40M86 140h40" stroke="%s" stroke-width="1.5" opacity=".5"/>' % d


def hard_hat(c, d):
    return shadow(rx=112, cy=214) + \
        g(c, d, '<path d="M64 176Q62 84 150 78Q238 84 236 176Z"/>') + \
        g(c, d, '<path d="M40 176H260Q262 194 240 196H60Q38 194 40 176Z"/>') + \
        g(shade(c, 0.9), d, '<path d="M138 80Q150 76 162 80L166 176H134Z"/>') + logo(192, 140, 1, c)


def ear_defenders(c, d):
    cup = c
    return shadow(rx=90, cy=250) + \
        '<path d="M78 150Q78 50 150 46Q222 50 222 150" fill="none" stroke="#2d2e33" stroke-width="14" stroke-linecap="round"/>' + \
        '<path d="M78 150Q78 50 150 46Q222 50 222 150" fill="none" stroke="#55575e" stroke-width="6" stroke-linecap="round"/>' + \
        g(cup, d, '<rect x="50" y="136" width="56" height="96" rx="26"/><rect x="194" y="136" width="56" height="96" rx="26"/>') + \
        '<rect x="96" y="146" width="14" height="76" rx="6" fill="#2d2e33"/><rect x="190" y="146" width="14" height="76" rx="6" fill="#2d2e33"/>' + \
        logo(78, 184, 1, c)


def glasses(c, d):
    lens = c
    return shadow(rx=110, cy=206) + \
        '<path d="M30 128Q30 116 44 114L130 108Q146 108 150 118Q154 108 170 108L256 114Q270 116 270 128' \
        'Q268 176 226 182Q182 184 166 150Q150 140 134 150Q118 184 74 182Q32 176 30 128Z" fill="%s" ' \
        'fill-opacity=".55" stroke="#2d2e33" stroke-width="5" stroke-linejoin="round"/>' % lens + \
        '<path d="M42 124Q80 118 120 120" fill="none" stroke="#fff" stroke-width="4" opacity=".7" stroke-linecap="round"/>' + \
        '<path d="M30 124L14 112M270 124L286 112" stroke="#2d2e33" stroke-width="6" stroke-linecap="round"/>' + \
        logo(150, 124, 0.6, TEAL)


# --- accessories --------------------------------------------------------------

def cap(c, d):
    return shadow(rx=104, cy=210) + \
        g(c, d, '<path d="M60 180Q56 84 146 80Q220 82 228 170Z"/>') + \
        g(shade(c, 0.85), d, '<path d="M220 168Q268 166 286 186Q250 198 214 190Z"/>') + \
        g(c, d, '<path d="M56 176Q140 160 228 170L226 188Q140 180 58 196Z"/>') + \
        line(d, "M146 82Q150 130 146 172M100 96Q120 132 118 174", 1.5) + \
        '<circle cx="146" cy="82" r="5" fill="%s"/>' % d + logo(182, 132, 1.2, c)


def beanie(c, d):
    return shadow(rx=80, cy=236) + \
        '<circle cx="150" cy="42" r="22" fill="%s" stroke="%s" stroke-width="2.5"/>' % (shade(c, 1.25), d) + \
        g(c, d, '<path d="M78 170Q76 62 150 58Q224 62 222 170Z"/>') + \
        g(shade(c, 0.9), d, '<path d="M70 168H230V226H70Z"/>') + \
        ''.join(line(d, "M%d 172V222" % x, 1.4) for x in range(82, 226, 12)) + \
        ''.join(line(d, "M%d 70Q%d 110 %d 166" % (x, x, x), 1.2) for x in (114, 150, 186)) + logo(150, 197, 1.2, c)


def lanyard(c, d):
    return shadow(rx=50, cy=276) + \
        '<path d="M112 20Q70 120 140 190M188 20Q230 120 160 190" fill="none" stroke="%s" stroke-width="16" stroke-linecap="round"/>' % c + \
        '<path d="M112 20Q70 120 140 190M188 20Q230 120 160 190" fill="none" stroke="%s" stroke-width="16" ' \
        'stroke-dasharray="4 20" stroke-linecap="butt" opacity=".8"/>' % GOLD + \
        '<path d="M136 186h28v18h-28z" fill="#9ea3aa"/><path d="M146 204h8v16h-8z" fill="#9ea3aa"/>' + \
        '<rect x="106" y="216" width="88" height="56" rx="6" fill="#fff" stroke="#b9bcc1" stroke-width="2"/>' + \
        logo(126, 238, 0.8) + '<path d="M140 236h42M140 248h30" stroke="#c9ccd1" stroke-width="4" stroke-linecap="round"/>'


def badge(c, d):
    return shadow(rx=96, cy=222) + \
        '<rect x="50" y="90" width="200" height="112" rx="14" fill="%s" stroke="%s" stroke-width="3"/>' % (c, d) + \
        '<rect x="60" y="100" width="180" height="92" rx="8" fill="#fff" opacity=".85"/>' + \
        '<rect x="60" y="100" width="180" height="16" rx="4" fill="%s"/>' % NAVY + logo(90, 150, 1.5) + \
        '<path d="M124 140h92M124 160h64" stroke="#4a4d55" stroke-width="8" stroke-linecap="round"/>' + \
        '<path d="M124 178h44" stroke="#9aa0a8" stroke-width="5" stroke-linecap="round"/>'


def mug(c, d):
    return shadow(rx=84, cy=250) + \
        '<path d="M206 110Q258 110 256 160Q254 206 204 206" fill="none" stroke="%s" stroke-width="18"/>' % d + \
        '<path d="M206 110Q258 110 256 160Q254 206 204 206" fill="none" stroke="%s" stroke-width="11"/>' % c + \
        g(c, d, '<path d="M64 70H214V220Q214 246 188 246H90Q64 246 64 220Z"/>') + \
        '<ellipse cx="139" cy="70" rx="75" ry="10" fill="%s" stroke="%s" stroke-width="2.5"/>' % (shade(c, 0.8), d) + \
        logo(139, 156, 2.2, c)


def bottle(c, d):
    return shadow(rx=50, cy=276) + \
        g(shade(c, 0.6), d, '<rect x="124" y="18" width="52" height="34" rx="8"/>') + \
        g(c, d, '<path d="M128 52H172Q200 70 200 100V250Q200 268 182 268H118Q100 268 100 250V100Q100 70 128 52Z"/>') + \
        '<path d="M112 104V246" stroke="#fff" stroke-width="8" stroke-linecap="round" opacity=".35"/>' + \
        logo(150, 170, 1.6, c)


def tote(c, d):
    return shadow(rx=90, cy=274) + \
        '<path d="M110 110Q110 40 150 40Q190 40 190 110" fill="none" stroke="%s" stroke-width="10"/>' % shade(c, 0.8) + \
        g(c, d, '<path d="M60 108H240L232 266H68Z"/>') + logo(150, 184, 2.4, c)


def umbrella(c, d):
    return shadow(rx=90, cy=270) + \
        '<path d="M150 150V246Q150 262 134 262Q120 262 120 248" fill="none" stroke="#3b3d42" stroke-width="7" stroke-linecap="round"/>' + \
        g(c, d, '<path d="M30 150Q36 52 150 44Q264 52 270 150Q256 138 240 150Q224 138 210 150Q196 138 180 150'
          'Q166 138 150 150Q134 138 120 150Q104 138 90 150Q76 138 60 150Q44 138 30 150Z"/>') + \
        line(d, "M150 46Q120 90 120 150M150 46Q180 90 180 150M150 46Q70 80 60 150M150 46Q230 80 240 150", 1.6) + \
        '<path d="M150 30V46" stroke="#3b3d42" stroke-width="5" stroke-linecap="round"/>' + logo(150, 110, 1, c)


def laptop_sleeve(c, d):
    return shadow(rx=110, cy=244) + \
        g(c, d, '<rect x="40" y="70" width="220" height="160" rx="16"/>') + \
        line(d, "M52 84H248", 3) + '<rect x="232" y="78" width="12" height="20" rx="3" fill="%s"/>' % d + \
        logo(150, 156, 2, c)


def backpack(c, d):
    return shadow(rx=84, cy=274) + \
        '<path d="M124 44Q124 20 150 20Q176 20 176 44" fill="none" stroke="%s" stroke-width="9"/>' % d + \
        g(c, d, '<path d="M80 80Q80 44 150 44Q220 44 220 80V250Q220 266 204 266H96Q80 266 80 250Z"/>') + \
        g(shade(c, 1.15), d, '<path d="M100 170H200V246Q200 254 192 254H108Q100 254 100 246Z"/>') + \
        line(d, "M100 188H200", 2) + line(shade(c, 1.5), "M92 90Q150 74 208 90", 2.5) + logo(150, 130, 1.4, c)


def socks(c, d):
    sock = "M0 0H44V96Q44 110 56 118L86 138Q100 148 92 164Q84 176 68 170L16 142Q0 134 0 116Z"
    stripe = GOLD
    return shadow(rx=100, cy=250) + ''.join(
        '<g transform="translate(%d %d)">%s<path d="M0 14H44V24H0Z" fill="%s"/>'
        '<path d="M62 122L88 140Q100 148 92 164" fill="none" stroke="%s" stroke-width="10" opacity=".5"/></g>'
        % (x, y, g(c, d, '<path d="%s"/>' % sock), stripe, d)
        for x, y in ((70, 50), (140, 70)))


def notebook(c, d):
    return shadow(rx=86, cy=262) + \
        '<rect x="76" y="34" width="156" height="220" rx="10" fill="#f2efe6" stroke="#c9c4b4" stroke-width="2"/>' + \
        g(c, d, '<rect x="68" y="30" width="152" height="220" rx="10"/>') + \
        '<rect x="196" y="30" width="8" height="220" fill="%s"/>' % GOLD + logo(144, 140, 2, c)


SHAPES = {
    "tshirt": tshirt, "longsleeve": longsleeve, "sporttee": sporttee, "polo": polo,
    "shirt": shirt, "workshirt": workshirt, "sweatshirt": sweatshirt,
    "quarterzip": quarterzip, "cardigan": cardigan, "hoodie": hoodie,
    "blazer": blazer, "fleece": fleece, "softshell": softshell,
    "rainjacket": rainjacket, "parka": parka, "gilet": gilet, "trench": trench,
    "waistcoat": waistcoat, "hivis_vest": hivis_vest, "hivis_jacket": hivis_jacket,
    "poncho": poncho, "trousers": trousers, "cargo": cargo, "skirt": skirt,
    "tie": tie, "scarf": scarf, "bowtie": bowtie, "ranger_hat": ranger_hat,
    "boot": boot, "safety_shoe": safety_shoe, "gloves": gloves,
    "cut_gloves": cut_gloves, "hard_hat": hard_hat, "ear_defenders": ear_defenders,
    "glasses": glasses, "cap": cap, "beanie": beanie, "lanyard": lanyard,
    "badge": badge, "mug": mug, "bottle": bottle, "tote": tote,
    "umbrella": umbrella, "laptop_sleeve": laptop_sleeve, "backpack": backpack,
    "socks": socks, "notebook": notebook,
}

# --- the catalog ----------------------------------------------------------------

CATEGORIES = [
    ("uniforms", "Uniforms"), ("logo-wear", "Logo wear"), ("outerwear", "Outerwear"),
    ("safety-gear", "Safety gear"), ("accessories", "Accessories"),
]

XS_XXL = ["XS", "S", "M", "L", "XL", "XXL"]
S_XXL = ["S", "M", "L", "XL", "XXL"]
SHOES = [str(n) for n in range(38, 48)]
ONE = [""]

# slug, category, name, shape, price, tags, restricted, sizes, colours, fits,
# per-colour pictures, description
PRODUCTS = [
    ("navy-blazer", "uniforms", "Navy blazer", "blazer", "129.00", "uniform|branch", 0,
     XS_XXL, ["Navy"], ["Regular", "Slim"], False,
     "Single-breasted wool-blend blazer in Northwind navy, half-lined, with two "
     "inside pockets. The everyday jacket for Retail Banking branch staff."),
    ("oxford-shirt-white", "uniforms", "Oxford shirt, white", "shirt", "39.90", "uniform|branch", 0,
     XS_XXL, ["White"], ["Regular", "Slim"], False,
     "Easy-iron cotton Oxford shirt with a semi-cutaway collar. Wear it with the "
     "blazer and the Northwind tie or scarf."),
    ("oxford-shirt-blue", "uniforms", "Oxford shirt, light blue", "shirt", "39.90", "uniform|branch", 0,
     XS_XXL, ["Light blue"], ["Regular", "Slim"], False,
     "The light blue version of the branch shirt: easy-iron cotton, semi-cutaway "
     "collar, rounded hem."),
    ("tailored-trousers", "uniforms", "Tailored trousers", "trousers", "59.00", "uniform|branch", 0,
     XS_XXL, ["Navy", "Charcoal"], ["Regular", "Slim"], False,
     "Flat-front trousers in a washable stretch wool blend, with belt loops and "
     "a hidden key pocket."),
    ("pencil-skirt", "uniforms", "Pencil skirt", "skirt", "49.00", "uniform|branch", 0,
     XS_XXL[:5], ["Navy", "Charcoal"], [], False,
     "Knee-length pencil skirt with a back vent, matching the tailored trousers."),
    ("silk-tie", "uniforms", "Silk tie, Northwind stripe", "tie", "29.00", "uniform|branch", 0,
     ONE, ["Navy", "Teal"], [], True,
     "Woven silk tie with the gold Northwind stripe and a small N mark on the blade."),
    ("silk-scarf", "uniforms", "Silk scarf", "scarf", "34.00", "uniform|branch", 0,
     ONE, ["Teal", "Navy"], [], True,
     "70 x 70 cm silk twill scarf with a gold border, to wear knotted or as a "
     "neckerchief."),
    ("fine-knit-cardigan", "uniforms", "Fine-knit cardigan", "cardigan", "54.00", "uniform|branch", 0,
     XS_XXL, ["Navy", "Grey"], [], False,
     "Merino-blend V-neck cardigan for cooler branches, machine washable."),
    ("tailored-waistcoat", "uniforms", "Tailored waistcoat", "waistcoat", "45.00", "uniform|branch", 1,
     XS_XXL, ["Navy"], [], False,
     "Five-button waistcoat for branch managers and private banking advisers."),
    ("cast-polo", "uniforms", "Cast member polo", "polo", "27.00", "uniform|park", 0,
     XS_XXL, ["Teal"], [], False,
     "Breathable pique polo in park teal for Guest Services cast members, with "
     "the N mark on the chest."),
    ("ranger-hat", "uniforms", "Park ranger hat", "ranger_hat", "32.00", "park|costume", 1,
     ["S", "M", "L"], ["Khaki"], [], False,
     "Wide-brim ranger hat of the Northwind Adventure Park trail guides. Costume "
     "piece: issued to cast members of the trail attractions."),
    ("costume-bow-tie", "uniforms", "Showtime bow tie", "bowtie", "19.00", "park|costume", 1,
     ONE, ["Red", "Teal"], [], True,
     "Pre-tied satin bow tie for the theme park's show hosts and ride announcers."),
    ("work-trousers", "uniforms", "Work trousers", "cargo", "44.00", "uniform|warehouse", 0,
     XS_XXL, ["Black", "Grey"], ["Regular", "Long"], False,
     "Hard-wearing poly-cotton work trousers with knee-pad pockets and two thigh "
     "pockets for the warehouse floor."),
    ("work-shirt", "uniforms", "Work shirt", "workshirt", "34.00", "uniform|warehouse", 0,
     XS_XXL, ["Grey", "Navy"], [], False,
     "Heavy cotton twill shirt with a chest pocket and pen slot."),
    ("logo-polo", "logo-wear", "Logo polo", "polo", "24.90", "logo|casual", 0,
     XS_XXL, ["Navy", "White", "Teal"], ["Regular", "Slim"], True,
     "Pique cotton polo with the embroidered N mark. The casual-Friday classic."),
    ("logo-t-shirt", "logo-wear", "Logo T-shirt", "tshirt", "14.90", "logo|casual", 0,
     XS_XXL, ["White", "Navy", "Grey"], [], True,
     "Soft organic cotton T-shirt with the N mark printed on the chest."),
    ("long-sleeve-t-shirt", "logo-wear", "Long-sleeve T-shirt", "longsleeve", "19.90", "logo|casual", 0,
     XS_XXL, ["White", "Navy"], [], False,
     "Long-sleeve organic cotton T-shirt with ribbed cuffs."),
    ("logo-hoodie", "logo-wear", "Logo hoodie", "hoodie", "44.90", "logo|casual", 0,
     XS_XXL, ["Navy", "Grey"], [], True,
     "Brushed-back fleece hoodie with a kangaroo pocket and the N mark."),
    ("quarter-zip-sweater", "logo-wear", "Quarter-zip sweater", "quarterzip", "49.90", "logo|casual", 0,
     XS_XXL, ["Navy", "Teal"], [], False,
     "Midweight quarter-zip sweater, smart enough for a client visit."),
    ("crew-sweatshirt", "logo-wear", "Crew-neck sweatshirt", "sweatshirt", "34.90", "logo|casual", 0,
     XS_XXL, ["Grey", "Navy"], [], False,
     "Crew-neck sweatshirt with a large N mark."),
    ("run-club-t-shirt", "logo-wear", "Run club T-shirt", "sporttee", "17.90", "logo|casual|sport", 0,
     XS_XXL, ["Teal", "Navy"], [], False,
     "Quick-dry sports T-shirt of the Northwind run club, with a reflective chest band."),
    ("fleece-jacket", "outerwear", "Fleece jacket", "fleece", "49.00", "casual|warehouse", 0,
     XS_XXL, ["Navy", "Grey"], [], False,
     "Full-zip anti-pill fleece with a zipped chest pocket."),
    ("softshell-jacket", "outerwear", "Softshell jacket", "softshell", "79.00", "logo|casual", 0,
     XS_XXL, ["Black", "Navy"], [], False,
     "Wind- and water-resistant softshell with a brushed lining and the N mark."),
    ("rain-jacket", "outerwear", "Packable rain jacket", "rainjacket", "59.00", "park|casual", 0,
     XS_XXL, ["Teal", "Navy", "Yellow"], [], True,
     "Lightweight waterproof jacket with taped seams that packs into its own pocket."),
    ("insulated-parka", "outerwear", "Insulated parka", "parka", "149.00", "warehouse|park", 0,
     XS_XXL, ["Navy"], [], False,
     "Thigh-length parka with a faux-fur trimmed hood for loading docks and winter "
     "park shifts."),
    ("padded-gilet", "outerwear", "Padded gilet", "gilet", "54.00", "casual|warehouse", 0,
     XS_XXL, ["Navy", "Black"], [], False,
     "Quilted sleeveless gilet with recycled fill."),
    ("trench-coat", "outerwear", "Trench coat", "trench", "189.00", "branch", 1,
     XS_XXL, ["Beige", "Navy"], [], False,
     "Double-breasted cotton gabardine trench coat for branch managers."),
    ("rain-poncho", "outerwear", "Rain poncho", "poncho", "9.90", "park", 0,
     ONE, ["Clear", "Yellow"], [], False,
     "One-size hooded poncho for queue lines and open-air attractions."),
    ("hi-vis-vest", "safety-gear", "Hi-vis vest", "hivis_vest", "7.90", "safety|hi-vis|warehouse", 0,
     S_XXL, ["Yellow", "Orange"], [], True,
     "EN ISO 20471 class 2 vest with reflective bands and hook-and-loop front."),
    ("hi-vis-jacket", "safety-gear", "Hi-vis jacket", "hivis_jacket", "64.00", "safety|hi-vis|warehouse", 0,
     S_XXL, ["Yellow", "Orange"], [], False,
     "EN ISO 20471 class 3 waterproof jacket for yard and loading-dock work."),
    ("safety-boots-s3", "safety-gear", "Safety boots S3", "boot", "89.00", "safety|warehouse", 0,
     SHOES, ["Black"], [], False,
     "EN ISO 20345 S3 boots: composite toe cap, anti-perforation midsole, water "
     "resistant leather, slip-resistant sole."),
    ("safety-shoes-s1p", "safety-gear", "Safety trainers S1P", "safety_shoe", "69.00", "safety|warehouse", 0,
     SHOES, ["Grey"], [], False,
     "Lightweight S1P safety trainers with a composite toe cap, for pickers."),
    ("work-gloves", "safety-gear", "Work gloves", "gloves", "6.50", "safety|warehouse", 0,
     ["S", "M", "L", "XL"], ["Grey"], [], False,
     "Nitrile-coated knitted gloves with a good grip on cartons and pallets."),
    ("cut-resistant-gloves", "safety-gear", "Cut-resistant gloves", "cut_gloves", "12.90", "safety|warehouse", 0,
     ["S", "M", "L", "XL"], ["Black"], [], False,
     "EN 388 level C cut-resistant gloves for opening boxes and handling strapping."),
    ("hard-hat", "safety-gear", "Hard hat", "hard_hat", "14.90", "safety|warehouse", 0,
     ONE, ["White", "Yellow"], [], True,
     "EN 397 safety helmet with a six-point harness and ratchet."),
    ("ear-defenders", "safety-gear", "Ear defenders", "ear_defenders", "24.90", "safety|warehouse|park", 0,
     ONE, ["Yellow", "Black"], [], False,
     "SNR 30 dB folding ear defenders for the sorting hall and the ride workshops."),
    ("safety-glasses", "safety-gear", "Safety glasses", "glasses", "8.90", "safety|warehouse", 0,
     ONE, ["Clear", "Tinted"], [], True,
     "Anti-fog, anti-scratch wraparound safety glasses (EN 166)."),
    ("logo-cap", "accessories", "Logo cap", "cap", "14.90", "logo|casual|park", 0,
     ONE, ["Navy", "White", "Teal"], [], True,
     "Six-panel cotton cap with the embroidered N mark and an adjustable strap."),
    ("knitted-beanie", "accessories", "Knitted beanie", "beanie", "12.90", "logo|casual|warehouse", 0,
     ONE, ["Navy", "Grey"], [], False,
     "Rib-knit beanie with a pompom and a woven N label."),
    ("lanyard", "accessories", "Lanyard", "lanyard", "3.50", "logo|branch|warehouse|park", 0,
     ONE, ["Teal", "Navy"], [], False,
     "Woven lanyard with a safety break-away and a badge clip."),
    ("name-badge", "accessories", "Name badge", "badge", "6.00", "branch|park", 0,
     ONE, ["Silver"], [], False,
     "Engraved name badge with a magnetic fastener. Your name is taken from your "
     "employee record."),
    ("coffee-mug", "accessories", "Coffee mug", "mug", "9.90", "logo|casual", 0,
     ONE, ["White", "Navy"], [], False,
     "Stoneware mug, 350 ml, dishwasher safe."),
    ("water-bottle", "accessories", "Insulated water bottle", "bottle", "19.90", "logo|casual", 0,
     ONE, ["Steel", "Teal"], [], False,
     "Double-walled stainless steel bottle, 500 ml: cold for 24 hours, hot for 12."),
    ("tote-bag", "accessories", "Canvas tote bag", "tote", "12.00", "logo|casual", 0,
     ONE, ["Natural", "Navy"], [], False,
     "Heavy organic canvas tote with long handles."),
    ("golf-umbrella", "accessories", "Golf umbrella", "umbrella", "24.00", "logo|branch", 0,
     ONE, ["Navy", "Teal"], [], False,
     "Windproof 130 cm umbrella for the walk from the car park."),
    ("laptop-sleeve", "accessories", "Laptop sleeve", "laptop_sleeve", "22.00", "logo|branch", 0,
     ["13 in", "15 in"], ["Grey", "Navy"], [], False,
     "Padded felt sleeve with a water-repellent zip."),
    ("commuter-backpack", "accessories", "Commuter backpack", "backpack", "59.00", "logo|casual", 0,
     ONE, ["Black", "Navy"], [], False,
     "20 l backpack with a padded laptop compartment and a luggage strap."),
    ("logo-socks", "accessories", "Logo socks, 3 pairs", "socks", "11.90", "logo|casual", 0,
     ["35-38", "39-42", "43-46"], ["Navy"], [], False,
     "Combed cotton socks with the gold stripe, three pairs."),
    ("a5-notebook", "accessories", "A5 notebook", "notebook", "7.50", "logo|branch", 0,
     ONE, ["Navy", "Teal"], [], False,
     "Hardback dotted A5 notebook with an elastic closure and a ribbon."),
]

COLOUR_CODES = {"Light blue": "LB", "Natural": "NA", "Navy": "NV", "Grey": "GY",
                "Tinted": "TI", "Teal": "TL", "Black": "BK", "White": "WH",
                "Charcoal": "CH", "Khaki": "KH", "Beige": "BE", "Yellow": "YE",
                "Orange": "OR", "Red": "RD", "Clear": "CL", "Steel": "ST",
                "Silver": "SI"}


def stock_for(i):
    """Deterministic, realistic-looking stock with some items sold out."""
    n = (i * 37 + 11) % 53
    return 0 if n % 9 == 0 else n


def svg(shape, colour):
    c = COLOURS[colour]
    body = SHAPES[shape](c, shade(c))
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 300" '
            'width="300" height="300">%s</svg>\n' % body)


def main():
    preview = None
    if len(sys.argv) == 3 and sys.argv[1] == "--preview":
        preview = sys.argv[2]
    os.makedirs(os.path.join(HERE, "images"), exist_ok=True)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["category", "category_name", "product_slug", "product_name",
                "description", "tags", "restricted", "sku", "size", "colour",
                "fit", "price", "stock", "image"])
    names = dict(CATEGORIES)
    pictures = []
    n = 0
    for number, p in enumerate(PRODUCTS, 1):
        (slug, cat, name, shape, price, tags, restricted, sizes, colours, fits,
         per_colour, desc) = p
        for colour in colours:
            pic = "%s-%s.svg" % (slug, colour.lower().replace(" ", "-")) if per_colour \
                else "%s.svg" % slug
            if (pic, colour) not in [(x[0], x[2]) for x in pictures] and \
                    (per_colour or colour == colours[0]):
                pictures.append((pic, shape, colour))
            for size in sizes:
                for fit in fits or [""]:
                    n += 1
                    sku = "NW-%03d-%s" % (number, COLOUR_CODES[colour])
                    if size:
                        sku += "-" + size.replace(" ", "").replace("-", "")
                    if fit:
                        sku += "-" + fit[0]
                    w.writerow([cat, names[cat], slug, name, desc, tags,
                                restricted, sku, size, colour, fit, price,
                                stock_for(n), "images/" + pic])
    with open(os.path.join(HERE, "catalog.csv"), "w", encoding="utf-8") as f:
        f.write(out.getvalue())
    for pic, shape, colour in pictures:
        with open(os.path.join(HERE, "images", pic), "w", encoding="utf-8") as f:
            f.write(svg(shape, colour))
    if preview:
        cols = 8
        cells = []
        for i, (pic, shape, colour) in enumerate(pictures):
            x, y = (i % cols) * 310, (i // cols) * 310
            inner = SHAPES[shape](COLOURS[colour], shade(COLOURS[colour]))
            cells.append('<rect x="%d" y="%d" width="300" height="300" fill="#fff"/>'
                         '<svg x="%d" y="%d" width="300" height="300" viewBox="0 0 300 300">%s</svg>'
                         % (x, y, x, y, inner))
        rows = (len(pictures) + cols - 1) // cols
        with open(preview, "w", encoding="utf-8") as f:
            f.write('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d">'
                    '<rect width="100%%" height="100%%" fill="#ddd"/>%s</svg>'
                    % (cols * 310, rows * 310, "".join(cells)))
    print("%d products, %d variants, %d pictures" % (len(PRODUCTS), n, len(pictures)))


if __name__ == "__main__":
    main()
