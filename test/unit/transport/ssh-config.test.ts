import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import SSHConfig from 'ssh-config';
import { loadSshConfig, parseJumpHop, planConnection, resolveSshConfig } from '../../../src/transport/ssh-config';

let home: string;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'h4-sshcfg-'));
  fs.mkdirSync(path.join(home, '.ssh'));
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

const src = () => ({ home, localUser: 'me' });

const CONFIG = `
Host router01
  HostName 192.0.2.10
  Port 2200
  User admin
  IdentityFile ~/.ssh/router_key
  IdentityFile %d/.ssh/second_%r@%h
  ProxyJump bastion
  UserKnownHostsFile ~/.ssh/lab_known_hosts ~/.ssh/other

Host bastion
  HostName 198.51.100.1
  User jumper
  Port 2022

Host multi
  ProxyJump ops@hop1:2201,ssh://hop2

Host nojump
  ProxyJump none

Match exec "touch ${'$'}HOME/match-exec-ran"
  User evil

Host *
  User fallback
  Port 2201
`;

describe('resolveSshConfig', () => {
  const config = () => SSHConfig.parse(CONFIG);

  it('reads HostName, Port, User, IdentityFile, ProxyJump and UserKnownHostsFile, expanding ~ and tokens', () => {
    expect(resolveSshConfig(config(), 'router01', src())).toEqual({
      hostName: '192.0.2.10',
      port: 2200,
      user: 'admin',
      identityFiles: [path.join(home, '.ssh/router_key'), path.join(home, '.ssh/second_admin@192.0.2.10')],
      proxyJump: [{ alias: 'bastion', user: undefined, port: undefined }],
      userKnownHostsFiles: [path.join(home, '.ssh/lab_known_hosts'), path.join(home, '.ssh/other')],
    });
  });

  it('takes the first value obtained, so Host * only fills gaps', () => {
    const r = resolveSshConfig(config(), 'other-host', src());
    expect(r).toMatchObject({ user: 'fallback', port: 2201, hostName: undefined, proxyJump: [] });
  });

  it('parses several ProxyJump hops and honours ProxyJump none', () => {
    expect(resolveSshConfig(config(), 'multi', src()).proxyJump).toEqual([
      { alias: 'hop1', user: 'ops', port: 2201 },
      { alias: 'hop2', user: undefined, port: undefined },
    ]);
    expect(resolveSshConfig(config(), 'nojump', src()).proxyJump).toEqual([]);
  });

  it('never runs Match exec commands', () => {
    resolveSshConfig(config(), 'router01', src());
    expect(fs.existsSync(path.join(process.env.HOME ?? '/nonexistent', 'match-exec-ran'))).toBe(false);
    expect(fs.existsSync(path.join(home, 'match-exec-ran'))).toBe(false);
  });

  it('refuses a Port that is not a TCP port', () => {
    expect(() => resolveSshConfig(SSHConfig.parse('Host x\n  Port 99999\n'), 'x', src())).toThrow(/not a TCP port/);
  });
});

describe('parseJumpHop', () => {
  it.each([
    ['host', { alias: 'host', user: undefined, port: undefined }],
    ['u@host', { alias: 'host', user: 'u', port: undefined }],
    ['u@host:2222', { alias: 'host', user: 'u', port: 2222 }],
    ['ssh://u@host:2222', { alias: 'host', user: 'u', port: 2222 }],
    ['[2001:db8::1]:2222', { alias: '2001:db8::1', user: undefined, port: 2222 }],
  ])('%s', (spec, want) => expect(parseJumpHop(spec)).toEqual(want));

  it('refuses a bad port', () => expect(() => parseJumpHop('h:0')).toThrow(/not \[user@\]host/));
});

describe('planConnection', () => {
  const config = () => SSHConfig.parse(CONFIG);

  it('lets every inventory value beat the ssh config', () => {
    const plan = planConnection(
      config(),
      'router01',
      { address: '127.0.0.1', port: 22022, user: 'root', identityFile: '/keys/inv', proxyJump: 'none', knownHostsFile: '/kh/inv' },
      src(),
    );
    expect(plan).toEqual({
      target: { alias: 'router01', address: '127.0.0.1', port: 22022, user: 'root', identityFile: '/keys/inv' },
      jumps: [],
      knownHostsFile: '/kh/inv',
    });
  });

  it('falls back to the ssh config, resolving jump hosts by their own Host blocks', () => {
    fs.writeFileSync(path.join(home, '.ssh/router_key'), 'x');
    const plan = planConnection(config(), 'router01', {}, src());
    expect(plan.target).toEqual({
      alias: 'router01',
      address: '192.0.2.10',
      port: 2200,
      user: 'admin',
      identityFile: path.join(home, '.ssh/router_key'),
    });
    expect(plan.jumps).toEqual([{ alias: 'bastion', address: '198.51.100.1', port: 2022, user: 'jumper', identityFile: undefined }]);
    expect(plan.knownHostsFile).toBe(path.join(home, '.ssh/lab_known_hosts'));
    fs.rmSync(path.join(home, '.ssh/router_key'));
  });

  it('uses OpenSSH defaults when neither says anything', () => {
    fs.writeFileSync(path.join(home, '.ssh/id_ecdsa'), 'x');
    const plan = planConnection(SSHConfig.parse(''), 'r9', {}, src());
    expect(plan).toEqual({
      target: { alias: 'r9', address: 'r9', port: 22, user: 'me', identityFile: path.join(home, '.ssh/id_ecdsa') },
      jumps: [],
      knownHostsFile: path.join(home, '.ssh/known_hosts'),
    });
    fs.rmSync(path.join(home, '.ssh/id_ecdsa'));
  });

  it('expands ~ in inventory paths too', () => {
    const plan = planConnection(SSHConfig.parse(''), 'r9', { identityFile: '~/.ssh/inv_key', knownHostsFile: '~/kh' }, src());
    expect(plan.target.identityFile).toBe(path.join(home, '.ssh/inv_key'));
    expect(plan.knownHostsFile).toBe(path.join(home, 'kh'));
  });

  it('takes hop users and ports from the ProxyJump spec before the hop Host block', () => {
    const plan = planConnection(config(), 'x', { proxyJump: 'ops@bastion:9' }, src());
    expect(plan.jumps[0]).toMatchObject({ address: '198.51.100.1', user: 'ops', port: 9 });
  });
});

describe('loadSshConfig', () => {
  it('treats a missing file as an empty config', () => {
    expect(resolveSshConfig(loadSshConfig(path.join(home, 'nope')), 'h', src())).toMatchObject({ hostName: undefined, identityFiles: [] });
  });
});
