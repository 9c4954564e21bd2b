import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { runEngineConformance } from '@switchyard/testkit';
import { RedactorEngine } from './redactor-engine.js';
import { passesIbanChecksum, passesLuhn } from './redactor-rules.js';

const letter = [
  'Hi, I am Ana (ana.lopez@example.com).',
  'Call me on +34 612 345 678 or at the office.',
  'Card: 4111 1111 1111 1111, order 1234 5678 9012 3456.',
  'Refund to DE89 3704 0044 0532 0130 00 please.',
  'Server 10.0.0.12 logged it; version 1.2.3 is fine.',
].join('\n');
const request = { modelId: 'pii', workload: 'completion' as const, input: { kind: 'text' as const, prompt: letter } };
const signal = () => new AbortController().signal;

runEngineConformance(() => new RedactorEngine(), {
  name: 'PII redactor passes the Switchyard conformance suite',
  model: { id: 'pii', files: {} },
  request,
  checkResult: (result) => expect(result.output.kind).toBe('text'),
});

describe('RedactorEngine', () => {
  it('redacts each entity and leaves look-alikes (failed checksums, version numbers) alone', async () => {
    const engine = new RedactorEngine();
    await engine.doLoad({ id: 'pii', files: {} }, signal());
    const result = await engine.doRun(request, signal());
    expect(result.output).toEqual({
      kind: 'text',
      text: [
        'Hi, I am Ana ([EMAIL]).',
        'Call me on [PHONE] or at the office.',
        'Card: [CREDIT-CARD], order 1234 5678 9012 3456.',
        'Refund to [IBAN] please.',
        'Server [IPV4] logged it; version 1.2.3 is fine.',
      ].join('\n'),
    });
    expect(result.metrics).toEqual({ redactions: 5 });
  });

  it('applies per-model options: fewer entities, custom patterns, masking', async () => {
    const engine = new RedactorEngine({ customPatterns: [{ name: 'employee-id', pattern: 'EMP-\\d{5}' }] });
    await engine.doLoad({ id: 'emails-only', files: {}, options: { entities: ['email'], replacement: 'mask' } }, signal());
    const result = await engine.doRun({ modelId: 'emails-only', workload: 'completion', input: { kind: 'text', prompt: 'EMP-12345 wrote to a@b.io from 10.0.0.1' } }, signal());
    expect(result.output).toEqual({ kind: 'text', text: '********* wrote to ****** from 10.0.0.1' });
  });

  it('streams the same text it returns, line by line', async () => {
    const engine = new RedactorEngine();
    await engine.doLoad({ id: 'pii', files: {} }, signal());
    let streamed = '';
    for await (const part of engine.doStream(request, signal())) if (part.type === 'delta' && part.kind === 'text') streamed += part.text;
    expect(streamed).toBe(((await engine.doRun(request, signal())).output as { text: string }).text);
  });

  it('rejects a custom pattern that is not a regex, naming the JSON pointer', () => {
    let error: unknown;
    try {
      new RedactorEngine({ customPatterns: [{ name: 'ok', pattern: 'x' }, { name: 'bad', pattern: '(unclosed' }] });
    } catch (e) {
      error = e;
    }
    expect(SwitchyardError.hasCode(error, 'PLUGIN_OPTIONS_INVALID')).toBe(true);
    expect((error as SwitchyardError).details).toMatchObject({ pointer: '/customPatterns/1/pattern', found: '(unclosed' });
  });

  it('refuses unknown entities at load with MODEL_LOAD_FAILED', async () => {
    const engine = new RedactorEngine();
    const error = await engine.doLoad({ id: 'x', files: {}, options: { entities: ['email', 'ssn'] } }, signal()).catch((e: unknown) => e);
    expect((error as SwitchyardError).code).toBe('MODEL_LOAD_FAILED');
    expect((error as SwitchyardError).details).toMatchObject({ pointer: '/options/entities', found: 'ssn' });
  });
});

describe('checksums', () => {
  it('Luhn accepts test card numbers and rejects a changed digit', () => {
    expect(passesLuhn('4111 1111 1111 1111')).toBe(true);
    expect(passesLuhn('4111 1111 1111 1112')).toBe(false);
  });
  it('IBAN mod-97 accepts a valid IBAN and rejects a typo', () => {
    expect(passesIbanChecksum('DE89 3704 0044 0532 0130 00')).toBe(true);
    expect(passesIbanChecksum('DE89 3704 0044 0532 0130 01')).toBe(false);
  });
});
