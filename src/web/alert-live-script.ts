/**
 * The one script of the alert page, served from /static/alert-live.js (the CSP allows scripts from the app itself
 * only, never inline ones). It keeps the page's sightings section up to date from the live stream: EventSource on
 * /api/v1/stream, same origin, so the session cookie authenticates it and the stream applies the TLP policy for this
 * person. It writes text only (textContent), never HTML. Without JavaScript the page shows the same section as
 * rendered by the server, current when loaded.
 *
 * What it needs is in the section's data attributes: the alert's id, sector names and the words in the page's
 * language (rendered by src/web/pages/alert-sightings.tsx).
 */
import { createHash } from 'node:crypto';

export const ALERT_LIVE_SCRIPT = `'use strict';
(function () {
  var root = document.querySelector('[data-live-sightings]');
  if (!root || typeof EventSource === 'undefined') return;
  var alertId = Number(root.getAttribute('data-alert-id'));
  var sectorNames = JSON.parse(root.getAttribute('data-sector-names') || '{}');
  var words = JSON.parse(root.getAttribute('data-words') || '{}');
  var status = root.querySelector('[data-live-status]');
  var rows = root.querySelector('[data-rows]');
  var table = root.querySelector('[data-table]');
  var none = root.querySelector('[data-none]');
  var recent = root.querySelector('[data-recent]');
  var all = root.querySelector('[data-sectors]');
  var seen = {};

  function sectorName(code) { return code ? (sectorNames[code] || code) : words.noSector; }
  function codesOf(el) { return JSON.parse(el.getAttribute('data-codes') || '[]'); }
  function addSector(el, code) {
    if (!code) return;
    var codes = codesOf(el);
    if (codes.indexOf(code) >= 0) return;
    codes.push(code);
    codes.sort();
    el.setAttribute('data-codes', JSON.stringify(codes));
    el.textContent = codes.map(sectorName).join(', ');
  }
  function cell(tr, name) {
    var td = document.createElement('td');
    td.setAttribute(name, '');
    tr.appendChild(td);
    return td;
  }
  function rowFor(indicator) {
    var tr = rows.querySelector('tr[data-indicator="' + indicator.id + '"]');
    if (tr) return tr;
    tr = document.createElement('tr');
    tr.setAttribute('data-indicator', String(indicator.id));
    var code = document.createElement('code');
    code.textContent = indicator.value;
    cell(tr, 'data-value').appendChild(code);
    cell(tr, 'data-organisations');
    cell(tr, 'data-sightings');
    cell(tr, 'data-row-sectors').setAttribute('data-codes', '[]');
    rows.appendChild(tr);
    return tr;
  }

  var source = new EventSource('/api/v1/stream');
  source.addEventListener('open', function () { status.textContent = words.on; });
  source.addEventListener('error', function () { status.textContent = words.off; });
  source.addEventListener('sighting.rebroadcast', function (message) {
    var d = JSON.parse(message.data);
    if (d.alert_id !== alertId || seen[d.sighting_id]) return;
    seen[d.sighting_id] = true;
    var tr = rowFor(d.indicator);
    tr.querySelector('[data-organisations]').textContent = String(d.organisations);
    tr.querySelector('[data-sightings]').textContent = String(d.sightings);
    addSector(tr.querySelector('[data-row-sectors]'), d.sector);
    addSector(all, d.sector);
    table.hidden = false;
    if (none) none.hidden = true;
    var li = document.createElement('li');
    li.setAttribute('data-testid', 'recent-sighting');
    li.textContent = d.at.slice(0, 16).replace('T', ' ') + ' · ' + d.indicator.value + ' · ' + sectorName(d.sector) + ' · ' + (d.reporter || words.anonymous);
    recent.insertBefore(li, recent.firstChild);
    while (recent.children.length > 20) recent.removeChild(recent.lastChild);
  });
  function changed(message) {
    var d = JSON.parse(message.data);
    if (d.alert_id === alertId) status.textContent = words.changed;
  }
  source.addEventListener('alert.updated', changed);
  source.addEventListener('alert.retracted', changed);
  window.addEventListener('pagehide', function () { source.close(); });
})();
`;

export const ALERT_LIVE_ETAG = `"${createHash('sha256').update(ALERT_LIVE_SCRIPT).digest('base64url').slice(0, 16)}"`;
