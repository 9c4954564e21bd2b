/** The fake upstream's answer for the gateway-tool-stream benches: one tool call in 24 argument deltas, then usage. */
const event = (payload: object) => `data: ${JSON.stringify(payload)}\n\n`;
const chunk = (delta: object, finish: string | null) => event({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [{ index: 0, delta, finish_reason: finish }] });
export const ARGS = JSON.stringify({ city: 'Paris', days: 3, units: 'metric', fields: ['temperature', 'wind', 'humidity', 'pressure'] });
const PIECES = Array.from({ length: 24 }, (_, i) => ARGS.slice(Math.floor((i * ARGS.length) / 24), Math.floor(((i + 1) * ARGS.length) / 24)));
export const UPSTREAM_EVENTS: readonly string[] = [
  chunk({ role: 'assistant', content: null }, null),
  chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, null),
  ...PIECES.map((piece) => chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null)),
  chunk({}, 'tool_calls'),
  event({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [], usage: { prompt_tokens: 10, completion_tokens: 24, total_tokens: 34 } }),
  'data: [DONE]\n\n',
];
