import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { CatalogFileProvisioner } from './catalog-file-provisioner.js';

describe('CatalogFileProvisioner', () => {
  it('provisions a catalog model from its folder and refuses unknown ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-prov-'));
    mkdirSync(join(dir, 'm'));
    writeFileSync(join(dir, 'm', 'model.onnx'), 'x');
    const metadata = { model_id: 'm', files: ['model.onnx'] };
    const provisioner = new CatalogFileProvisioner((id) => (id === 'm' ? { dir: join(dir, 'm'), metadata } : undefined));
    const result = await provisioner.provision('m', new AbortController().signal);
    expect(result).toEqual({ files: { 'model.onnx': join(dir, 'm', 'model.onnx') }, metadata });
    await expect(provisioner.provision('other', new AbortController().signal)).rejects.toSatisfy((e) => SwitchyardError.hasCode(e, 'NO_SUCH_MODEL'));
  });
});
