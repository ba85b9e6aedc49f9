import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DEMO_PASSWORD, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('runs in demo mode on the embedded database by default', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: null,
      demoData: true,
      demoPassword: DEFAULT_DEMO_PASSWORD,
      production: false,
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('does not create demo data on a real server unless asked', () => {
    expect(
      loadConfig({ DATABASE_URL: 'postgres://x@localhost/db', SESSION_SECRET: 's'.repeat(32) }).demoData,
    ).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://x@localhost/db', DEMO_DATA: '1' }).demoData).toBe(true);
  });

  it('requires a session secret outside demo mode', () => {
    expect(() => loadConfig({ DEMO_DATA: '0' })).toThrow(/SESSION_SECRET: required outside demo mode/);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x@h/db', BASE_URL: 'https://x.gov.uk' }),
    ).toThrow(ConfigError);
  });

  it('lets a command run without a session secret, which only the server uses, and never with demo data', () => {
    const server = { DATABASE_URL: 'postgres://x@localhost/db' };
    expect(() => loadConfig(server)).toThrow(/SESSION_SECRET: required outside demo mode/);
    expect(() => loadConfig(server, { purpose: 'serve' })).toThrow(/SESSION_SECRET/);
    const command = loadConfig(server, { purpose: 'command' });
    expect(command.databaseUrl).toBe('postgres://x@localhost/db');
    expect(command.sessionSecret).toBe('');
    expect(loadConfig({ DEMO_DATA: '0' }, { purpose: 'command' }).demoData).toBe(false);
    // Demo mode on the embedded database: the server makes demo data, a command never does.
    expect(loadConfig({}).demoData).toBe(true);
    expect(loadConfig({}, { purpose: 'command' }).demoData).toBe(false);
    // Every other setting is checked as strictly for a command.
    expect(() => loadConfig({ ...server, SESSION_SECRET: 'short' }, { purpose: 'command' })).toThrow(
      /SESSION_SECRET: must be at least 32 characters/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production' }, { purpose: 'command' })).toThrow(
      /BASE_URL: required in production/,
    );
  });

  it('never creates demo data in production', () => {
    const secret = 's'.repeat(32);
    const live = { NODE_ENV: 'production', SESSION_SECRET: secret, BASE_URL: 'https://x.gov.uk' };
    expect(loadConfig(live).demoData).toBe(false);
    expect(() => loadConfig({ ...live, DEMO_DATA: '1' })).toThrow(/never created in production/);
  });

  it('refuses to start with a NODE_ENV it does not know, rather than run in demo mode', () => {
    expect(() => loadConfig({ NODE_ENV: 'Production' })).toThrow(
      /NODE_ENV: must be production, development or test/,
    );
    expect(loadConfig({ NODE_ENV: 'development' }).demoData).toBe(true);
  });

  it('believes no proxy unless told which (TRUST_PROXY)', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7, ::1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      '::1',
    ]);
    const secret = 's'.repeat(32);
    expect(
      loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret, BASE_URL: 'https://x.gov.uk' }).trustProxy,
    ).toBe(false);
    for (const bad of ['yes', '10.0.0.0/33', 'proxy.example', '1.2.3.4/8/2']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY: must be empty, a number/);
    }
  });

  it('names every bad setting', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SESSION_SECRET: 'short' })).toThrow(
      /PORT: .*\n.*DATABASE_URL: must start with postgres:\/\/.*\n.*SESSION_SECRET: must be at least 32 characters/,
    );
  });

  it('links messages to localhost on the port by default, and to BASE_URL when set', () => {
    expect(loadConfig({}).baseUrl).toBe('http://localhost:3000');
    expect(loadConfig({ PORT: '8080' }).baseUrl).toBe('http://localhost:8080');
    expect(loadConfig({ BASE_URL: 'https://inspect.example.gov.uk/' }).baseUrl).toBe(
      'https://inspect.example.gov.uk',
    );
    expect(loadConfig({ BASE_URL: 'https://example.gov.uk/inspectorate' }).baseUrl).toBe(
      'https://example.gov.uk/inspectorate',
    );
  });

  it('refuses a BASE_URL that is not an absolute http(s) address, and requires one in production', () => {
    for (const bad of [
      'inspect.example.gov.uk',
      '/inspect',
      'ftp://example.gov.uk',
      'https://x.gov.uk/?a=1',
    ]) {
      expect(() => loadConfig({ BASE_URL: bad }), bad).toThrow(/BASE_URL: must be an absolute http/);
    }
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32) })).toThrow(
      /BASE_URL: required in production/,
    );
  });

  it('limits connecting to the database and each statement to 5 s by default, and takes other limits', () => {
    expect(loadConfig({})).toMatchObject({
      databaseConnectTimeoutMs: 5000,
      databaseStatementTimeoutMs: 5000,
    });
    expect(
      loadConfig({ DATABASE_CONNECT_TIMEOUT_MS: '1500', DATABASE_STATEMENT_TIMEOUT_MS: '0' }),
    ).toMatchObject({ databaseConnectTimeoutMs: 1500, databaseStatementTimeoutMs: 0 });
  });

  it('names a database timeout that is not a sensible number of milliseconds', () => {
    expect(() => loadConfig({ DATABASE_CONNECT_TIMEOUT_MS: 'soon' })).toThrow(
      /DATABASE_CONNECT_TIMEOUT_MS: must be a number of milliseconds/,
    );
    expect(() => loadConfig({ DATABASE_CONNECT_TIMEOUT_MS: '0' })).toThrow(
      /DATABASE_CONNECT_TIMEOUT_MS: must be at least 100/,
    );
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '-1' })).toThrow(
      /DATABASE_STATEMENT_TIMEOUT_MS: must be 0 \(no limit\) or more/,
    );
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '2.5' })).toThrow(
      /DATABASE_STATEMENT_TIMEOUT_MS: must be a whole number/,
    );
  });

  describe('single sign-on (OIDC_*)', () => {
    const sso = {
      OIDC_ISSUER_URL: 'https://login.example.com/tenant/v2.0',
      OIDC_CLIENT_ID: 'inspectorate',
      OIDC_CLIENT_SECRET: 'client-secret',
    };

    it('is off unless configured, and asks for openid, email and profile by default', () => {
      expect(loadConfig({}).oidc).toBeNull();
      expect(loadConfig(sso).oidc).toEqual({
        issuerUrl: 'https://login.example.com/tenant/v2.0',
        clientId: 'inspectorate',
        clientSecret: 'client-secret',
        scopes: 'openid email profile',
      });
      expect(loadConfig({ ...sso, OIDC_SCOPES: ' openid  email ' }).oidc?.scopes).toBe('openid email');
    });

    it('needs the issuer, client id and secret together, naming what is missing', () => {
      expect(() => loadConfig({ OIDC_ISSUER_URL: sso.OIDC_ISSUER_URL })).toThrow(
        /OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: single sign-on needs OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET together/,
      );
      expect(() => loadConfig({ ...sso, OIDC_CLIENT_SECRET: undefined })).toThrow(
        /\n {2}OIDC_CLIENT_SECRET: single sign-on needs/,
      );
      expect(() => loadConfig({ OIDC_SCOPES: 'openid email' })).toThrow(/OIDC_SCOPES: only used with/);
    });

    it('talks to an identity provider over https, or plain http on this machine only', () => {
      expect(loadConfig({ ...sso, OIDC_ISSUER_URL: 'http://127.0.0.1:4000' }).oidc?.issuerUrl).toBe(
        'http://127.0.0.1:4000',
      );
      expect(() => loadConfig({ ...sso, OIDC_ISSUER_URL: 'http://login.example.com' })).toThrow(
        /OIDC_ISSUER_URL: must be the identity provider's https:\/\/ address/,
      );
      expect(() => loadConfig({ ...sso, OIDC_SCOPES: 'email profile' })).toThrow(
        /OIDC_SCOPES: must be scopes separated by spaces, openid among them/,
      );
    });
  });
});
