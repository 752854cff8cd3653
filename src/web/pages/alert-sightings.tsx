/**
 * The sightings section of an alert page: per indicator how many organisations reported it, in which sectors, and the
 * latest reports. Rendered complete by the server (the page works without JavaScript); /static/alert-live.js keeps it
 * current from the live stream, using the data attributes below.
 */
import { SECTORS, type Sector } from '../../accounts/sectors.js';
import type { Indicator } from '../../hub/indicators/indicators.js';
import type { AlertSightings } from '../../hub/sightings/index.js';
import type { PageContext } from '../page-context.js';

const when = (s: string) => s.slice(0, 16).replace('T', ' ');

export function AlertSightingsSection({ pc, alertId, indicators, sightings }: { pc: PageContext; alertId: number; indicators: readonly Indicator[]; sightings: AlertSightings }) {
  const { t } = pc;
  const sectorName = (code: string | null) => (code === null ? t('live.noSector') : code in SECTORS ? SECTORS[code as Sector][pc.lang] : code);
  const sectorNames = Object.fromEntries(Object.entries(SECTORS).map(([code, names]) => [code, names[pc.lang]]));
  const words = { anonymous: t('live.anonymous'), noSector: t('live.noSector'), on: t('live.on'), off: t('live.off'), changed: t('live.changed') };
  const valueOf = new Map(indicators.map((i) => [i.id, i.value]));
  const rows = sightings.indicators.filter((i) => valueOf.has(i.id));
  return (
    <>
      <section data-testid="alert-sightings" data-live-sightings="" data-alert-id={String(alertId)} data-sector-names={JSON.stringify(sectorNames)} data-words={JSON.stringify(words)}>
        <h2>{t('live.title')}</h2>
        <p>{t('live.intro')}</p>
        <p data-live-status="" role="status"></p>
        <p>
          {t('live.allSectors')}: <span data-sectors="" data-codes={JSON.stringify(sightings.sectors)} data-testid="sighting-sectors">{sightings.sectors.map(sectorName).join(', ')}</span>
        </p>
        {rows.length === 0 ? <p data-none="">{t('live.none')}</p> : null}
        <table data-table="" hidden={rows.length === 0}>
          <thead>
            <tr><th>{t('si.indicator')}</th><th>{t('live.organisations')}</th><th>{t('live.reports')}</th><th>{t('live.sectors')}</th></tr>
          </thead>
          <tbody data-rows="">
            {rows.map((r) => (
              <tr data-indicator={String(r.id)}>
                <td data-value=""><code>{valueOf.get(r.id)}</code></td>
                <td data-organisations="">{r.organisations}</td>
                <td data-sightings="">{r.sightings}</td>
                <td data-row-sectors="" data-codes={JSON.stringify(r.sectors)}>{r.sectors.map(sectorName).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>{t('live.latest')}</h3>
        <ul data-recent="" aria-live="polite">
          {sightings.recent
            .filter((r) => valueOf.has(r.indicatorId))
            .map((r) => <li data-testid="recent-sighting">{`${when(r.reportedAt)} · ${valueOf.get(r.indicatorId)} · ${sectorName(r.sector)} · ${r.reporter ?? t('live.anonymous')}`}</li>)}
        </ul>
      </section>
      <script src="/static/alert-live.js" defer></script>
    </>
  );
}
