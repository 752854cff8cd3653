/**
 * A small template language for notification emails that handlers can edit
 * safely: `{{name}}` inserts a value, `{{#name}}...{{/name}}` keeps its content
 * only when the value is not empty (and false), `{{^name}}...{{/name}}` only
 * when it is. Nothing else is evaluated, so an edited template cannot run code.
 *
 * @example
 * renderTemplate('Dear {{#operator}}{{operator}} {{/operator}}abuse desk', { operator: 'KPN' }) // 'Dear KPN abuse desk'
 */
export type TemplateValues = Record<string, string | number | boolean | null | undefined>;

const SECTION = /\{\{([#^])([a-z_]+)\}\}([\s\S]*?)\{\{\/\2\}\}/g;
const VARIABLE = /\{\{([a-z_]+)\}\}/g;

export function renderTemplate(template: string, values: TemplateValues): string {
  let out = template;
  // Sections may nest one level: resolve until nothing changes.
  for (let i = 0; i < 5; i++) {
    const next = out.replace(SECTION, (_m, kind: string, name: string, body: string) => (isPresent(values[name]) === (kind === '#') ? body : ''));
    if (next === out) break;
    out = next;
  }
  return out.replace(VARIABLE, (_m, name: string) => {
    const v = values[name];
    return v === null || v === undefined || v === false ? '' : String(v);
  });
}

function isPresent(v: TemplateValues[string]): boolean {
  return !(v === null || v === undefined || v === false || v === '' || v === 0);
}

/** Names a template uses that the values do not provide: shown to a handler who edits a template. */
export function unknownPlaceholders(template: string, known: readonly string[]): string[] {
  const names = new Set<string>();
  for (const m of template.matchAll(/\{\{[#^/]?([a-z_]+)\}\}/g)) names.add(m[1]!);
  return [...names].filter((n) => !known.includes(n));
}
