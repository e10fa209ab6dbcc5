"""The framework's own speed: a bare Flask + Jinja page of 24 item cards from memory.

No session, no login, no database, no product hooks, no forms: one route rendering a
template with the same 24-card list markup as the catalogue's first page (title, photo,
availability, condition, category, unit, address, date), from plain dicts built once. It is
served inside the benchmark's own gunicorn (bench.baseline_app mounts it at /_bare), so the
product's pages and this page share workers, settings and the connection path: page p50 ÷
this p50 is what the product adds to Flask + Jinja themselves, and the closed-loop
throughput against it is the share of the framework's capacity a page leaves.

/cards renders the page with render_template_string, which compiles the template on every
request: the page the issue's targets were set against (on 4 December 2026 it measured 4.0 ms
p50 and 606 req/s here; the issue's figures are 4.0 ms and 650 req/s). /cards-compiled is the
same page from a template compiled once and kept, as a real Flask application's are (1.7 ms,
1 631 req/s): the framework's floor, printed beside it so that no one takes the first for it.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask, render_template, render_template_string
from jinja2 import DictLoader

CARDS = 24

_PAGE = """<!doctype html>
<html lang="nb">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ledige ting – Gjenbruk</title><link rel="stylesheet" href="/static/app.css"></head>
<body>
<header><a href="/">Gjenbruk</a><nav><a href="/items/new">Legg ut</a></nav></header>
<main id="main"><h1>Ledige ting</h1>
<ul class="item-grid">
{% for item in items %}
<li><a class="ds-card item-card" href="/items/{{ item.id }}">
  <div class="ds-card__block item-card__media"><img src="/photos/{{ item.thumbnail }}"
   alt="{{ item.alt }}" loading="lazy" width="480" height="360"></div>
  <div class="ds-card__block">
    <h2 class="ds-heading" data-size="xs">{{ item.title }}</h2>
    <p class="ds-paragraph" data-size="sm">{{ item.available }} ledige · {{ item.condition }}</p>
    <p class="ds-paragraph item-card__meta" data-size="sm">{{ item.category }} · {{ item.unit }}</p>
    <p class="ds-paragraph item-card__meta" data-size="sm">{{ item.address }}</p>
    <p class="ds-paragraph item-card__meta" data-size="sm">Lagt ut {{ item.listed }}</p>
  </div></a></li>
{% endfor %}
</ul></main>
<footer>Gjenbruk i Bergen kommune</footer>
</body></html>
"""

_ITEMS = [{"id": 1000 + n, "title": f"Kontorstol med armlene {n}",
           "thumbnail": f"AAAAAAAAAAAAAAAAAAAA{n:02}_t.jpg", "alt": f"Bilde 1 av kontorstol {n}",
           "available": n % 5 + 1, "condition": "God", "category": "Kontorstoler",
           "unit": "Møhlenpris skole", "address": "Rådhusgaten 10, bygg A",
           "listed": (date(2026, 11, 30) - timedelta(days=n)).strftime("%d.%m.")}
          for n in range(CARDS)]

app = Flask(__name__)
app.jinja_loader = DictLoader({"cards.html": _PAGE})


@app.get("/cards")
def cards():
    return render_template_string(_PAGE, items=_ITEMS)


@app.get("/cards-compiled")
def cards_compiled():
    return render_template("cards.html", items=_ITEMS)
