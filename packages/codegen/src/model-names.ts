/** Identifier forms of a model id: `xybrid-digits` -> XybridDigits / xybridDigits / XYBRID_DIGITS. */
export interface ModelNames {
  readonly id: string;
  readonly pascal: string;
  readonly camel: string;
  readonly constant: string;
}

export function modelNames(id: string): ModelNames {
  const words = id.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const pascal = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  const safe = /^[0-9]/.test(pascal) ? `M${pascal}` : pascal;
  return {
    id,
    pascal: safe,
    camel: safe[0]!.toLowerCase() + safe.slice(1),
    constant: (/^[0-9]/.test(id) ? 'M_' : '') + words.map((w) => w.toUpperCase()).join('_'),
  };
}
