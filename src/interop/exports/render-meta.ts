/** What a detection export's bytes depend on besides its rows; the same values give the same bytes. */
export interface RenderMeta {
  /** The feed's serial (the RPZ SOA serial); moves on with every change of content. */
  serial: number;
  /** When the content last changed, ISO 8601. */
  changedAt: string;
  /** Baken's public address, for links back to alerts. */
  publicUrl: string;
  /** How the source is named in the consuming tool (Zeek's meta.source). */
  sourceName: string;
  /** TTL of RPZ records, in seconds. */
  rpzTtl: number;
}

/** A URL as network sensors and firewalls match it: without the scheme (`evil.example/gate.php`). */
export function urlWithoutScheme(url: string): string {
  return url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
}
