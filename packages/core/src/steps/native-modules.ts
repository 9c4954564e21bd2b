import type sharp from 'sharp';
import type * as Tokenizers from '@huggingface/tokenizers';

/**
 * Native and heavy modules load on first use, not when core is imported: an app that never decodes an image or
 * tokenizes text never loads libvips or the tokenizer bundle (packages/plugin-cloud-llm/test/lazy-native.test.ts
 * checks this through a module-load hook and process.report).
 */
let sharpModule: Promise<typeof sharp> | undefined;
let tokenizersModule: Promise<typeof Tokenizers> | undefined;

/** sharp (libvips, native). */
export function loadSharp(): Promise<typeof sharp> {
  return (sharpModule ??= import('sharp').then((module) => module.default));
}

/** @huggingface/tokenizers. */
export function loadTokenizers(): Promise<typeof Tokenizers> {
  return (tokenizersModule ??= import('@huggingface/tokenizers'));
}
