/** "We see this": the small form on an alert page with which a member reports a sighting of one of its indicators. */
import type { Indicator } from '../../hub/indicators/indicators.js';
import { Csrf } from '../layout.js';
import type { PageContext } from '../page-context.js';

export function SightingForm({ pc, alertId, indicators }: { pc: PageContext; alertId: number; indicators: readonly Indicator[] }) {
  const { t } = pc;
  if (indicators.length === 0) return null;
  return (
    <section data-testid="sighting-form">
      <h2>{t('si.weSeeThis')}</h2>
      <p>{t('si.explain')}</p>
      <form method="post" action={`/alerts/${alertId}/sightings`}>
        <Csrf pc={pc} />
        <label for="sighting-indicator">{t('si.indicator')}</label>
        <select id="sighting-indicator" name="indicator">{indicators.map((i) => <option value={String(i.id)}>{i.value} ({i.type})</option>)}</select>
        <label for="sighting-count">{t('si.count')}</label>
        <input id="sighting-count" name="count" inputMode="numeric" value="1" />
        <label for="sighting-note">{t('si.note')}</label>
        <textarea id="sighting-note" name="note" rows={2} maxLength={2000}></textarea>
        <label><input type="checkbox" name="share_name" value="1" /> {t('si.shareName')}</label>
        <button type="submit">{t('si.report')}</button>
      </form>
    </section>
  );
}
