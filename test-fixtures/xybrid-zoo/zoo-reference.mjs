// The xybrid zoo stand-ins' weights and inputs as closed-form functions, and their reference outputs computed with
// plain arithmetic (float64, no Switchyard step kernels): what torchvision / sentence-transformers preprocessing plus
// the graph would give. Used by scripts/generate-xybrid-zoo.mjs (to write the graphs) and by the zoo tests.

const f = Math.fround;

export const WEIGHTS = {
  mnist: { w: (i, j) => f((((i * 31 + j * 17) % 101) - 50) / 1000), b: (j) => f((((j * 7) % 11) - 5) / 100) },
  mobilenet: { w: (c, j) => f((((c * 131 + j * 37) % 97) - 48) / 100), b: (j) => f((((j * 13) % 29) - 14) / 1000) },
  resnet50: { w: (c, j) => f((((c * 71 + j * 53) % 89) - 44) / 100), b: (j) => f((((j * 19) % 31) - 15) / 1000) },
  minilm: { a: (h) => f((((h * 11) % 83) - 41) / 1000), b: (h) => f((((h * 7) % 13) - 6) / 100), c: (h) => f((((h * 3) % 7) - 3) / 10), d: (h) => f((((h * 5) % 17) - 8) / 100) },
  distilbert: { a: (h) => f((((h * 13) % 79) - 39) / 1000), b: (h) => f((((h * 5) % 11) - 5) / 100), d: (h) => f((((h * 3) % 19) - 9) / 100) },
};

export const zooPixel = {
  /** mnist input: 0..255 values, a bright vertical bar. */
  mnist: (i) => (Math.abs((i % 28) - 14) < 3 ? 255 : (i * 37) % 50),
  /** mobilenet input photo, 256x256 RGB. */
  photo: (x, y, c) => (x * 3 + y * 5 + c * 70) % 256,
  /** resnet50 input: a [1, 3, 256, 256] float tensor of 0..255 values, channel-first. */
  resnet: (i) => (i * 7 + Math.floor(i / 256) * 3) % 256,
};

export const ZOO_SENTENCE = 'Hello, small world!';
/** What the BERT WordPiece tokenizer makes of ZOO_SENTENCE (by hand): looked up in the vocab by the tests. */
export const ZOO_SENTENCE_TOKENS = ['[CLS]', 'hello', ',', 'small', 'world', '!', '[SEP]'];

const WORDS = (
  'the a an is are was be to of and in on at for with by from this that it as not or but ' +
  'model models text image audio speech run runs fast small local cloud hybrid inference switch yard ' +
  'hello world embed embedding sentence token tokens word words vector ##s ##ed ##ing ##er ##ly .'
).split(' ');
export const ZOO_VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...WORDS, ...'abcdefghijklmnopqrstuvwxyz'.split(''), ',', '!', '?'];

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

function softmax(logits) {
  const max = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

function topK(scores, k) {
  return scores
    .map((score, index) => ({ index, score }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, k);
}

/** mnist: x / 255 -> dense -> softmax over the 10 classes. */
export function mnistReference() {
  const x = Array.from({ length: 784 }, (_, i) => zooPixel.mnist(i) / 255);
  const logits = Array.from({ length: 10 }, (_, j) => x.reduce((s, v, i) => s + v * WEIGHTS.mnist.w(i, j), WEIGHTS.mnist.b(j)));
  return softmax(logits);
}

/** Center crop 224 of a 256x256 image (offset 16), then per-channel mean of the normalised crop, dense, softmax, top 5. */
function classify(pixel, weights, normalise) {
  const pooled = [0, 1, 2].map((c) => {
    let sum = 0;
    for (let y = 16; y < 240; y++) for (let x = 16; x < 240; x++) sum += normalise(pixel(x, y, c), c);
    return sum / (224 * 224);
  });
  const logits = Array.from({ length: 1000 }, (_, j) => pooled.reduce((s, v, c) => s + v * weights.w(c, j), weights.b(j)));
  return topK(softmax(logits), 5);
}

/** torchvision: CenterCrop(224) -> ToTensor (/255) -> Normalize(ImageNet mean, std), on the PNG's pixels. */
export function mobilenetReference() {
  return classify(zooPixel.photo, WEIGHTS.mobilenet, (v, c) => (v / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c]);
}

/** The same on a [1, 3, 256, 256] tensor of 0..255 values, with xybrid's 255-scaled mean/std, channel-first. */
export function resnetReference() {
  const pixel = (x, y, c) => zooPixel.resnet(c * 256 * 256 + y * 256 + x);
  return classify(pixel, WEIGHTS.resnet50, (v, c) => (v - IMAGENET_MEAN[c] * 255) / (IMAGENET_STD[c] * 255));
}

/** sentence-transformers: masked mean of last_hidden_state over the real tokens of the sentence. */
export function textReference(model) {
  const weights = WEIGHTS[model];
  const hidden = model === 'minilm' ? 384 : 768;
  const ids = ZOO_SENTENCE_TOKENS.map((t) => ZOO_VOCAB.indexOf(t));
  return Array.from({ length: hidden }, (_, h) => {
    let sum = 0;
    for (const id of ids) sum += id * weights.a(h) + weights.b(h) + weights.d(h) + (weights.c ? 0 * weights.c(h) : 0);
    return sum / ids.length;
  });
}
