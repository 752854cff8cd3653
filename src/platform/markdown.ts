/**
 * Markdown for text people publish (case pages, analyses). Raw HTML in the
 * source is not allowed, only Markdown, and links to `javascript:` and the like
 * are refused, so what is rendered cannot carry a script.
 */
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

// Links open without telling the target where they came from.
const defaultLink = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLink(tokens, idx, options, env, self);
};

/** @example renderMarkdown('**Update** now: <script>x</script>') // '<p><strong>Update</strong> now: &lt;script&gt;x&lt;/script&gt;</p>\n' */
export function renderMarkdown(source: string): string {
  return md.render(source);
}
