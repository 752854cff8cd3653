/**
 * Suricata datasets (one value a line, as `load` reads them) and a rules file that uses them.
 *
 * Dataset types and their file forms (Suricata's datasets documentation): `ip` holds IPv4 and IPv6 addresses in
 * their usual notation; `string` holds each value base64-encoded; `sha256` holds hex. Networks (CIDR) are no
 * dataset type, so they go into the rules file as address lists instead. The sha256 list is also the format of the
 * `filesha256` keyword, which matches a file's hash; a dataset lookup on `file.data` would hash chunks, not files.
 */
import type { FeedIndicator } from './feed-indicators.js';

/** `ip` dataset: ipv4 and ipv6 indicators. */
export async function* suricataIpDataset(rows: AsyncIterable<FeedIndicator>): AsyncGenerator<string> {
  for await (const i of rows) yield `${i.value}\n`;
}

/** `string` dataset of domains: base64 of the name, as Suricata's string datasets store values. */
export async function* suricataDomainDataset(rows: AsyncIterable<FeedIndicator>): AsyncGenerator<string> {
  for await (const i of rows) yield `${Buffer.from(i.value, 'utf8').toString('base64')}\n`;
}

/** `sha256` dataset, and a `filesha256` list: lower-case hex. */
export async function* suricataSha256Dataset(rows: AsyncIterable<FeedIndicator>): AsyncGenerator<string> {
  for await (const i of rows) yield `${i.value}\n`;
}

/** Signature ids: in the range set aside for local rules (1,000,000 to 1,999,999), so they clash with no ruleset. */
export const SURICATA_SID_BASE = 1_960_000;
/** Networks per address-list rule: long lists are slow to parse and hard to read in an alert. */
export const NETWORKS_PER_RULE = 200;

const DATASET_RULES = [
  `alert dns $HOME_NET any -> any any (msg:"BAKEN DNS query for a listed domain"; dns.query; dataset:isset,baken-domain, type string, load baken-domain.lst; classtype:bad-unknown; sid:${SURICATA_SID_BASE + 1}; rev:1;)`,
  `alert tls $HOME_NET any -> any any (msg:"BAKEN TLS SNI of a listed domain"; flow:established,to_server; tls.sni; dataset:isset,baken-domain, type string, load baken-domain.lst; classtype:bad-unknown; sid:${SURICATA_SID_BASE + 2}; rev:1;)`,
  `alert http $HOME_NET any -> any any (msg:"BAKEN HTTP Host of a listed domain"; flow:established,to_server; http.host; dataset:isset,baken-domain, type string, load baken-domain.lst; classtype:bad-unknown; sid:${SURICATA_SID_BASE + 3}; rev:1;)`,
  `alert ip $HOME_NET any -> any any (msg:"BAKEN traffic to a listed address"; ip.dst; dataset:isset,baken-ip, type ip, load baken-ip.lst; classtype:bad-unknown; sid:${SURICATA_SID_BASE + 4}; rev:1;)`,
  `alert ip any any -> $HOME_NET any (msg:"BAKEN traffic from a listed address"; ip.src; dataset:isset,baken-ip, type ip, load baken-ip.lst; classtype:bad-unknown; sid:${SURICATA_SID_BASE + 5}; rev:1;)`,
  `alert http any any -> any any (msg:"BAKEN HTTP file with a listed SHA-256"; filesha256:baken-sha256.lst; classtype:bad-unknown; sid:${SURICATA_SID_BASE + 6}; rev:1;)`,
  `alert smtp any any -> any any (msg:"BAKEN SMTP file with a listed SHA-256"; filesha256:baken-sha256.lst; classtype:bad-unknown; sid:${SURICATA_SID_BASE + 7}; rev:1;)`,
  `alert smb any any -> any any (msg:"BAKEN SMB file with a listed SHA-256"; filesha256:baken-sha256.lst; classtype:bad-unknown; sid:${SURICATA_SID_BASE + 8}; rev:1;)`,
];

function networkRules(networks: readonly string[], n: number): string {
  const list = `[${networks.join(',')}]`;
  const sid = SURICATA_SID_BASE + 100 + 2 * n;
  return (
    `alert ip $HOME_NET any -> ${list} any (msg:"BAKEN traffic to a listed network (group ${n + 1})"; classtype:bad-unknown; sid:${sid}; rev:1;)\n` +
    `alert ip ${list} any -> $HOME_NET any (msg:"BAKEN traffic from a listed network (group ${n + 1})"; classtype:bad-unknown; sid:${sid + 1}; rev:1;)\n`
  );
}

/**
 * The rules file: fixed rules over the three datasets (files named as Baken serves them, next to the rules file),
 * then address-list rules for the listed networks (`rows`: cidr indicators), {@link NETWORKS_PER_RULE} a rule.
 * Needs Suricata 7 or later (ip.src and ip.dst).
 */
export async function* suricataRules(rows: AsyncIterable<FeedIndicator>): AsyncGenerator<string> {
  yield '# Baken detection rules for Suricata 7 or later.\n';
  yield '# Keep baken-ip.lst, baken-domain.lst and baken-sha256.lst next to this file (see docs/integrations/suricata.md).\n';
  for (const r of DATASET_RULES) yield `${r}\n`;
  yield '# Listed networks (datasets hold single addresses, not networks).\n';
  let batch: string[] = [];
  let n = 0;
  for await (const i of rows) {
    batch.push(i.value);
    if (batch.length === NETWORKS_PER_RULE) {
      yield networkRules(batch, n++);
      batch = [];
    }
  }
  if (batch.length > 0) yield networkRules(batch, n);
}
