import { FakeHost, exec } from '../../helpers/fake-host';
import { expectCase } from './freebsd-fixture';
import { isFileLoaded, isModulePresent, loadModule } from '../../../src/lab/freebsd/kld';

describe('kldstat / kldload / kldunload on a GENERIC amd64 kernel', () => {
  let host: FakeHost;
  beforeEach(() => {
    host = new FakeHost('router01');
  });

  it('lists only the kernel on a fresh host', () => expectCase(host, 'kldstat', 'fresh'));

  it('lists a loaded module with the next id, address and hex size', async () => {
    await expectCase(host, 'kldload', 'v-if_gre');
    await expectCase(host, 'kldstat', 'after-if_gre');
    await expectCase(host, 'kldstat', 'n-if_gre-loaded');
    await expectCase(host, 'kldstat', 'v-after-if_gre');
  });

  it('treats compiled-in if_gif as a module but not a file', async () => {
    await expectCase(host, 'kldstat', 'm-if_gif');
    await expectCase(host, 'kldstat', 'q-m-if_gif');
    await expectCase(host, 'kldstat', 'n-if_gif');
    await expectCase(host, 'kldstat', 'q-n-if_gif');
    await expectCase(host, 'kldload', 'if_gif');
    await expectCase(host, 'kldload', 'n-if_gif');
    await expectCase(host, 'kldload', 'nv-if_gif');
  });

  it('reports absent modules and bad usage', async () => {
    await expectCase(host, 'kldstat', 'q-m-if_gre-absent');
    await expectCase(host, 'kldstat', 'm-if_gre-absent');
    await expectCase(host, 'kldstat', 'bad-option');
    await expectCase(host, 'kldstat', 'extra-operand');
    await expectCase(host, 'kldload', 'unknown');
    await expectCase(host, 'kldload', 'no-args');
  });

  it('refuses to load a file twice, except with -n', async () => {
    await exec(host, ['kldload', 'if_gre']);
    await expectCase(host, 'kldload', 'if_gre-twice');
    expect((await exec(host, ['kldload', '-n', 'if_gre.ko'])).code).toBe(0);
    expect(host.kernel.kld.loaded).toEqual(['if_gre.ko']);
  });

  it('loads dependencies first and refuses to unload a file others need', async () => {
    expect((await exec(host, ['kldload', 'pflog'])).code).toBe(0);
    expect(host.kernel.kld.loaded).toEqual(['pf.ko', 'pflog.ko']);
    const busy = await exec(host, ['kldunload', 'pf']);
    expect(busy).toEqual({ stdout: '', stderr: "kldunload: can't unload file: Device busy\n", code: 1 });
    expect((await exec(host, ['kldunload', '-v', 'pflog'])).stdout).toBe('Unloading pflog.ko, id=3\n');
    expect((await exec(host, ['kldunload', 'pf.ko'])).code).toBe(0);
    expect(host.kernel.kld.loaded).toEqual([]);
    // ids are not reused after an unload
    expect((await exec(host, ['kldload', '-v', 'if_gre'])).stdout).toBe('Loaded if_gre, id=4\n');
  });

  it('refuses to unload the kernel or an unknown file', async () => {
    expect((await exec(host, ['kldunload', 'kernel'])).code).toBe(1);
    expect(await exec(host, ['kldunload', 'if_gre'])).toEqual({ stdout: '', stderr: "kldunload: can't find file if_gre: No such file or directory\n", code: 1 });
  });

  it('exports presence checks and loading for ifconfig and pfctl', () => {
    expect(isModulePresent(host, 'if_gif')).toBe(true);
    expect(isModulePresent(host, 'if_gre')).toBe(false);
    expect(loadModule(host, 'if_gre')).toEqual({ ok: true, id: 2 });
    expect(loadModule(host, 'if_gre')).toEqual({ ok: false, error: 'EEXIST' });
    expect(loadModule(host, 'if_gif')).toEqual({ ok: false, error: 'EEXIST' });
    expect(loadModule(host, 'nosuch')).toEqual({ ok: false, error: 'ENOENT' });
    expect(isModulePresent(host, 'if_gre')).toBe(true);
    expect(isFileLoaded(host, 'if_gre')).toBe(true);
    expect(isFileLoaded(host, 'if_gif')).toBe(false);
  });
});
