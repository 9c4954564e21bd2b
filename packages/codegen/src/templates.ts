import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';

/** The handlebars templates shipped in packages/codegen/templates (one level above src/ and dist/). */
const TEMPLATE_DIR = new URL('../templates/', import.meta.url);

const cache = new Map<string, HandlebarsTemplateDelegate>();
const handlebars = Handlebars.create();

export function renderTemplate(name: 'registry.ts' | 'index.ts', context: object): string {
  let template = cache.get(name);
  if (!template) {
    const source = readFileSync(new URL(`${name}.hbs`, TEMPLATE_DIR), 'utf8');
    template = handlebars.compile(source, { noEscape: false, strict: true });
    cache.set(name, template);
  }
  return template(context);
}
