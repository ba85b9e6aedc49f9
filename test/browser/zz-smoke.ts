import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { startTestApp } from '/work/main/test/support/app.js';
const t = await startTestApp('embedded');
const addr = await t.app.listen({ port: 0, host: '127.0.0.1' });
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu'] });
for (const js of [true, false]) {
  const ctx = await b.newContext({ javaScriptEnabled: js });
  const p = await ctx.newPage();
  p.on('console', m => console.log('console', m.text()));
  for (const path of ['/', '/sign-in', '/accessibility', '/api/docs', '/nope']) {
    await p.goto(addr + path);
    const r = await new AxeBuilder({ page: p }).analyze();
    console.log(js, path, r.violations.map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(' '))]));
  }
  await ctx.close();
}
await b.close(); await t.close();
