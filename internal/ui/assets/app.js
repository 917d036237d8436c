// The topology page of `midonet serve`: the Neutron API as the caller sees it, drawn with
// cytoscape, kept live by /ui/events, with `midonet trace` on the map and a health panel.
// Plain ES2020, no build step; every value from the server reaches the DOM as text only.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const COLLECTIONS = ['networks', 'subnets', 'ports', 'routers', 'floatingips'];

  const S = {
    cfg: null,
    token: sessionStorage.getItem('midonet.token'),
    who: JSON.parse(sessionStorage.getItem('midonet.who') || 'null'),
    data: Object.fromEntries(COLLECTIONS.map((c) => [c, new Map()])),
    agents: [], agentsVisible: true,
    cy: null, stream: null, loaded: false, queue: [], live: false,
    renderTimer: null, fitted: false, userMoved: false,
    sig: new Map(), // element id → what it was last drawn from
    trace: null, // {path: [element ids], edges: [...], drop: id, overlay: true}
    lastRender: null, lastLoad: null, renders: 0, changes: 0,
  };

  // ---------- the API, as the caller ----------

  async function api(path, opts = {}) {
    const headers = { Accept: 'application/json' };
    if (S.token) headers['X-Auth-Token'] = S.token;
    let body;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const r = await fetch(path, { method: opts.method || 'GET', headers, body, cache: 'no-store' });
    const text = await r.text();
    let doc = null;
    try { doc = text ? JSON.parse(text) : null; } catch (e) { doc = null; }
    if (r.status === 401 && S.cfg && S.cfg.auth === 'keystone' && !opts.noLogout) {
      logout('Your session ended: log in again.');
    }
    if (!r.ok) {
      const msg = (doc && doc.NeutronError && doc.NeutronError.message) || (doc && doc.error) || (r.status + ' ' + r.statusText);
      const err = new Error(msg);
      err.status = r.status;
      throw err;
    }
    return doc === null ? text : doc;
  }

  // ---------- start, login, logout ----------

  async function init() {
    S.cfg = await api('/ui/config');
    if (S.cfg.auth === 'keystone' && !S.token) {
      showLogin('');
      return;
    }
    start();
  }

  function showLogin(msg) {
    $('main').hidden = true;
    $('login').hidden = false;
    $('logout').hidden = true;
    $('who').textContent = '';
    $('login-keystone').textContent = S.cfg.keystone_url || 'the configured Keystone';
    $('login-error').textContent = msg || '';
  }

  async function login(ev) {
    ev.preventDefault();
    $('login-error').textContent = '';
    $('login-submit').disabled = true;
    try {
      const ans = await api('/ui/login', { method: 'POST', noLogout: true, body: {
        username: $('login-user').value, password: $('login-password').value,
        project: $('login-project').value, domain: $('login-domain').value,
      } });
      S.token = ans.token;
      S.who = { user: ans.user, project: ans.project, project_id: ans.project_id, roles: ans.roles, expires_at: ans.expires_at };
      sessionStorage.setItem('midonet.token', S.token);
      sessionStorage.setItem('midonet.who', JSON.stringify(S.who));
      $('login-password').value = '';
      start();
    } catch (e) {
      $('login-error').textContent = e.message;
    } finally {
      $('login-submit').disabled = false;
    }
  }

  function logout(msg) {
    S.token = null;
    S.who = null;
    sessionStorage.removeItem('midonet.token');
    sessionStorage.removeItem('midonet.who');
    if (S.stream) { S.stream.abort(); S.stream = null; }
    setLive(false);
    for (const c of COLLECTIONS) S.data[c].clear();
    S.agents = [];
    if (S.cy) { S.cy.elements().remove(); }
    S.sig.clear();
    S.loaded = false;
    S.fitted = false;
    showLogin(typeof msg === 'string' ? msg : '');
  }

  function start() {
    $('login').hidden = true;
    $('main').hidden = false;
    if (S.cfg.auth === 'keystone') {
      $('logout').hidden = false;
      $('who').textContent = S.who ? (S.who.user + ' @ ' + S.who.project) : '';
    } else {
      $('who').textContent = 'noauth';
    }
    if (!S.cfg.trace) {
      $('trace-form').hidden = true;
      $('trace-result').textContent = 'This process runs no agent, so it cannot trace: use the page of `midonet serve`, or of a process with the agent role.';
    }
    if (!S.cy) makeGraph();
    if (S.cfg.events) openStream(); else loadAll();
  }

  // ---------- live updates ----------

  function setLive(on) {
    S.live = on;
    $('live').className = 'live ' + (on ? 'on' : 'off');
    $('live-text').textContent = on ? 'live' : 'offline';
  }

  async function openStream() {
    const ctrl = new AbortController();
    if (S.stream) S.stream.abort();
    S.stream = ctrl;
    try {
      const headers = { Accept: 'text/event-stream' };
      if (S.token) headers['X-Auth-Token'] = S.token;
      const r = await fetch('/ui/events', { headers, signal: ctrl.signal, cache: 'no-store' });
      if (r.status === 401) { logout('Your session ended: log in again.'); return; }
      if (!r.ok) throw new Error('event stream: ' + r.status);
      const reader = r.body.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          onEvent(block);
        }
      }
    } catch (e) {
      if (ctrl.signal.aborted) return;
    }
    if (S.stream !== ctrl) return;
    setLive(false);
    setTimeout(() => { if (S.stream === ctrl) openStream(); }, 2000);
  }

  function onEvent(block) {
    let name = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trim();
    }
    switch (name) {
      case 'ready':
        setLive(true);
        loadAll();
        break;
      case 'change': {
        const c = JSON.parse(data);
        if (!S.loaded) { S.queue.push(c); break; }
        applyChange(c);
        scheduleRender();
        break;
      }
      case 'agents':
        loadAgents().then(scheduleRender);
        break;
      case 'resync':
        loadAll();
        break;
      case 'unauthorized':
        logout('Your session ended: log in again.');
        break;
    }
  }

  function applyChange(c) {
    const m = S.data[c.collection];
    if (!m) return;
    S.changes++;
    if (c.deleted) { m.delete(c.id); return; }
    const cur = m.get(c.id);
    // A change queued while the lists loaded may be older than what the lists said.
    if (cur && typeof cur.revision_number === 'number' && typeof c.doc.revision_number === 'number' &&
        cur.revision_number > c.doc.revision_number) return;
    m.set(c.id, c.doc);
  }

  async function loadAgents() {
    try {
      const a = await api('/v2.0/agents');
      S.agents = a.agents || [];
      S.agentsVisible = true;
    } catch (e) {
      S.agents = [];
      S.agentsVisible = false; // not an admin: the agents API is theirs
    }
    updateHealth();
  }

  async function loadAll() {
    S.loaded = false;
    const t0 = performance.now();
    try {
      const lists = await Promise.all(COLLECTIONS.map((c) => api('/v2.0/' + c)));
      COLLECTIONS.forEach((c, i) => {
        const m = new Map();
        for (const d of lists[i][c] || []) m.set(d.id, d);
        S.data[c] = m;
      });
      await loadAgents();
    } catch (e) {
      if (e.status !== 401) $('health-note').textContent = 'Loading the topology failed: ' + e.message;
      return;
    }
    const fetched = performance.now();
    S.loaded = true;
    const q = S.queue;
    S.queue = [];
    for (const c of q) applyChange(c);
    await render();
    S.lastLoad = { fetch_ms: fetched - t0, total_ms: performance.now() - t0 };
  }

  function scheduleRender() {
    if (S.renderTimer) return;
    S.renderTimer = setTimeout(() => { S.renderTimer = null; render(); }, 30);
  }

  // ---------- the graph ----------

  const short = (id) => (id || '').slice(0, 8);
  const ipsOf = (p) => (p.fixed_ips || []).map((f) => f.ip_address);

  function portKind(p) {
    const o = p.device_owner || '';
    if (o.startsWith('network:router_interface') || o === 'network:ha_router_replicated_interface') return 'router-if';
    if (o === 'network:router_gateway') return 'gateway';
    if (o === 'network:dhcp') return 'dhcp';
    if (o === 'network:floatingip') return 'fip-port';
    if (o.startsWith('compute:') || o.startsWith('baremetal:')) return 'vm';
    return o === '' ? 'vm' : 'other';
  }

  // elements turns the data into cytoscape elements (the ids: net:, router:, port:, fip:, host:).
  function elements() {
    const d = S.data;
    const els = [];
    const subnetsOf = new Map();
    for (const s of d.subnets.values()) {
      if (!subnetsOf.has(s.network_id)) subnetsOf.set(s.network_id, []);
      subnetsOf.get(s.network_id).push(s);
    }
    for (const n of d.networks.values()) {
      const subs = (subnetsOf.get(n.id) || []).sort((a, b) => (a.cidr < b.cidr ? -1 : 1));
      const ext = n['router:external'] === true;
      const uplink = n['provider:network_type'] === 'uplink';
      let label = (n.name || short(n.id));
      if (ext) label += '  [external]';
      if (uplink) label += '  [uplink]';
      if (n.shared) label += '  [shared]';
      if (subs.length) label += '\n' + subs.map((s) => s.cidr).join('  ');
      const cls = ['network'];
      if (ext) cls.push('external');
      if (uplink) cls.push('uplink');
      if (n.status && n.status !== 'ACTIVE') cls.push('status-' + n.status);
      els.push({ group: 'nodes', data: { id: 'net:' + n.id, rid: n.id, kind: 'network', label,
        search: [n.name, n.id].concat(subs.map((s) => s.cidr), subs.map((s) => s.name), subs.map((s) => s.id)).join(' ').toLowerCase() },
        classes: cls.join(' ') });
    }
    for (const r of d.routers.values()) {
      const routes = (r.routes || []).length;
      let label = r.name || short(r.id);
      if (routes) label += '\n' + routes + (routes === 1 ? ' route' : ' routes');
      const gw = r.external_gateway_info;
      const gwIPs = gw && gw.external_fixed_ips ? gw.external_fixed_ips.map((f) => f.ip_address) : [];
      els.push({ group: 'nodes', data: { id: 'router:' + r.id, rid: r.id, kind: 'router', label,
        search: [r.name, r.id].concat(gwIPs).join(' ').toLowerCase() },
        classes: 'router status-' + (r.status || 'ACTIVE') });
    }
    const gwPortOf = new Set();
    for (const p of d.ports.values()) {
      const kind = portKind(p);
      if (kind === 'fip-port') continue; // drawn as its floating IP
      const ips = ipsOf(p);
      const data = { id: 'port:' + p.id, rid: p.id, kind: 'port', pkind: kind,
        label: p.name || ips.join(' ') || short(p.id),
        search: [p.name, p.id, p.mac_address, p.device_id].concat(ips).join(' ').toLowerCase() };
      if (d.networks.has(p.network_id)) data.parent = 'net:' + p.network_id;
      els.push({ group: 'nodes', data, classes: 'port kind-' + kind + ' status-' + (p.status || 'DOWN') });
      if ((kind === 'router-if' || kind === 'gateway') && d.routers.has(p.device_id)) {
        els.push({ group: 'edges', data: { id: 'link:' + p.id, source: 'router:' + p.device_id, target: 'port:' + p.id, label: ips.join(' ') },
          classes: 'link ' + kind });
        if (kind === 'gateway') gwPortOf.add(p.device_id);
      }
    }
    // A gateway port the caller cannot see (it belongs to no project): the router still
    // reaches its external network.
    for (const r of d.routers.values()) {
      const gw = r.external_gateway_info;
      if (!gw || !gw.network_id || gwPortOf.has(r.id) || !d.networks.has(gw.network_id)) continue;
      const ips = (gw.external_fixed_ips || []).map((f) => f.ip_address);
      els.push({ group: 'edges', data: { id: 'gw:' + r.id, source: 'router:' + r.id, target: 'net:' + gw.network_id, label: ips.join(' ') },
        classes: 'link gateway' });
    }
    for (const f of d.floatingips.values()) {
      const data = { id: 'fip:' + f.id, rid: f.id, kind: 'fip', label: f.floating_ip_address || short(f.id),
        search: [f.floating_ip_address, f.fixed_ip_address, f.id, f.description].join(' ').toLowerCase() };
      if (d.networks.has(f.floating_network_id)) data.parent = 'net:' + f.floating_network_id;
      els.push({ group: 'nodes', data, classes: 'fip status-' + (f.status || 'DOWN') });
      if (f.port_id && d.ports.has(f.port_id)) {
        els.push({ group: 'edges', data: { id: 'nat:' + f.id, source: 'fip:' + f.id, target: 'port:' + f.port_id,
          label: (f.floating_ip_address || '') + ' ⇄ ' + (f.fixed_ip_address || '') }, classes: 'nat' });
      }
    }
    for (const a of S.agents) {
      const ifs = ((a.configurations || {}).interfaces || []).flatMap((i) => i.ip_addresses || []);
      els.push({ group: 'nodes', data: { id: 'host:' + a.id, rid: a.id, kind: 'host',
        label: (a.description || ('host ' + short(a.id))) + (a.alive ? '  ● up' : '  ● down'),
        search: [a.id, a.description, a.host].concat(ifs).join(' ').toLowerCase() },
        classes: 'host ' + (a.alive ? 'alive' : 'dead') });
    }
    return els;
  }

  const PORT_W = 70, PORT_H = 56, NET_GAP = 110, ROUTER_GAP = 150;

  // layout places every leaf: external networks on top, routers under them, the networks
  // they join below, each network's ports in a grid inside it, and hosts at the bottom.
  function layout(els) {
    const pos = new Map();
    const children = new Map();
    const nets = [];
    const routers = [];
    const hosts = [];
    const routerNets = new Map(); // router node → network node ids (interfaces)
    const routerExt = new Map(); // router node → external network node ids
    const byId = new Map(els.map((e) => [e.data.id, e]));
    for (const e of els) {
      if (e.group === 'edges') continue;
      if (e.data.parent) {
        if (!children.has(e.data.parent)) children.set(e.data.parent, []);
        children.get(e.data.parent).push(e);
      }
      if (e.data.kind === 'network') nets.push(e);
      else if (e.data.kind === 'router') routers.push(e);
      else if (e.data.kind === 'host') hosts.push(e);
    }
    const isExt = (n) => n && / external /.test(' ' + n.classes + ' ');
    for (const e of els) {
      if (e.group !== 'edges' || !e.data.source.startsWith('router:')) continue;
      const tgt = byId.get(e.data.target);
      const net = tgt && (tgt.data.kind === 'network' ? tgt.data.id : tgt.data.parent);
      if (!net) continue;
      const m = isExt(byId.get(net)) ? routerExt : routerNets;
      if (!m.has(e.data.source)) m.set(e.data.source, []);
      if (!m.get(e.data.source).includes(net)) m.get(e.data.source).push(net);
    }
    const byName = (a, b) => (a.data.label < b.data.label ? -1 : a.data.label > b.data.label ? 1 : (a.data.id < b.data.id ? -1 : 1));
    routers.sort(byName);
    nets.sort(byName);
    const box = (net) => {
      const kids = children.get(net.data.id) || [];
      const cols = Math.max(1, Math.ceil(Math.sqrt(kids.length * 2)));
      return { kids, cols, w: Math.max(1, cols) * PORT_W, h: Math.max(1, Math.ceil(kids.length / cols)) * PORT_H };
    };
    const rank = { 'router-if': 0, gateway: 0, fip: 1, dhcp: 2, vm: 3, other: 4 };
    const place = (net, x0, y0) => {
      const b = box(net);
      const kids = b.kids.slice().sort((a, c) => (rank[a.data.pkind || a.data.kind] - rank[c.data.pkind || c.data.kind]) || byName(a, c));
      kids.forEach((k, i) => pos.set(k.data.id, { x: x0 + (i % b.cols) * PORT_W + PORT_W / 2, y: y0 + Math.floor(i / b.cols) * PORT_H + PORT_H / 2 }));
      if (!kids.length) pos.set(net.data.id, { x: x0 + b.w / 2, y: y0 + b.h / 2 });
      return b;
    };
    // Internal networks, in the order of the routers that join them.
    const internal = nets.filter((n) => !isExt(n));
    const order = [];
    for (const r of routers) for (const n of routerNets.get(r.data.id) || []) if (!order.includes(n)) order.push(n);
    for (const n of internal) if (!order.includes(n.data.id)) order.push(n.data.id);
    const center = new Map();
    let x = 0;
    let bottom = 0;
    const yNets = 320;
    for (const id of order) {
      const n = byId.get(id);
      const b = place(n, x, yNets);
      center.set(id, x + b.w / 2);
      x += b.w + NET_GAP;
      bottom = Math.max(bottom, yNets + b.h);
    }
    const width = Math.max(x - NET_GAP, 0);
    // Routers: above the networks they join.
    const rx = [];
    routers.forEach((r, i) => {
      const ns = routerNets.get(r.data.id) || [];
      const cx = ns.length ? ns.reduce((s, n) => s + center.get(n), 0) / ns.length : width + i * ROUTER_GAP;
      rx.push({ r, x: cx });
    });
    rx.sort((a, b) => a.x - b.x);
    for (let i = 1; i < rx.length; i++) rx[i].x = Math.max(rx[i].x, rx[i - 1].x + ROUTER_GAP);
    for (const { r, x: cx } of rx) pos.set(r.data.id, { x: cx, y: 170 });
    const routerX = new Map(rx.map((e) => [e.r.data.id, e.x]));
    // External networks: on top, above the routers whose gateway they are; they grow upwards.
    const ext = nets.filter(isExt).map((n) => {
      const rs = [...routerExt.entries()].filter(([, ns]) => ns.includes(n.data.id)).map(([r]) => routerX.get(r));
      return { n, b: box(n), x: rs.length ? rs.reduce((s, v) => s + v, 0) / rs.length : null };
    });
    let free = width + ROUTER_GAP;
    for (const e of ext) if (e.x === null) { e.x = free + e.b.w / 2; free += e.b.w + NET_GAP; }
    ext.sort((a, b) => a.x - b.x);
    let right = -Infinity;
    for (const e of ext) {
      let left = Math.max(e.x - e.b.w / 2, right + NET_GAP);
      place(e.n, left, 40 - e.b.h);
      right = left + e.b.w;
    }
    // Hosts: a row under everything.
    hosts.sort(byName).forEach((h, i) => pos.set(h.data.id, { x: i * 190, y: bottom + 160 }));
    return pos;
  }

  function makeGraph() {
    S.cy = cytoscape({
      container: $('cy'),
      elements: [],
      minZoom: 0.05, maxZoom: 4,
      pixelRatio: 1,
      style: [
        { selector: 'node', style: { label: 'data(label)', 'font-size': 10, 'text-wrap': 'wrap', 'text-max-width': 160,
          color: '#1f2328', 'min-zoomed-font-size': 6 } },
        { selector: 'node.network', style: { shape: 'round-rectangle', 'background-color': '#eef4fb', 'background-opacity': 1,
          'border-width': 2, 'border-color': '#5b8bd0', 'text-valign': 'top', 'text-halign': 'center', 'font-weight': 'bold',
          'font-size': 12, padding: 16, width: 60, height: 40 } },
        { selector: 'node.network.external', style: { 'background-color': '#fff4e5', 'border-color': '#e08a00' } },
        { selector: 'node.network.uplink', style: { 'border-style': 'double', 'border-width': 5 } },
        { selector: 'node.router', style: { shape: 'round-diamond', width: 46, height: 46, 'background-color': '#6c4fd1',
          'text-valign': 'top', 'text-margin-y': -4, 'font-weight': 'bold', 'font-size': 12 } },
        { selector: 'node.port', style: { width: 18, height: 18, 'font-size': 9, 'text-valign': 'bottom', 'text-margin-y': 2,
          'background-color': '#bbb', 'border-width': 1, 'border-color': '#555' } },
        // Labels cost most of the drawing at scale: a port shows its own when it is labelled
        // (always in small topologies, else when zoomed in and in view; see updateLabels).
        { selector: 'node.port', style: { label: '' } },
        { selector: 'node.port.labelled, node.port.match', style: { label: 'data(label)' } },
        { selector: 'node.kind-router-if', style: { shape: 'square' } },
        { selector: 'node.kind-gateway', style: { shape: 'hexagon', width: 22, height: 22 } },
        { selector: 'node.kind-dhcp', style: { shape: 'triangle' } },
        { selector: 'node.status-ACTIVE', style: { 'background-color': '#2e9d4f' } },
        { selector: 'node.status-DOWN', style: { 'background-color': '#9aa0a6' } },
        { selector: 'node.status-BUILD', style: { 'background-color': '#f2b01e' } },
        { selector: 'node.status-ERROR', style: { 'background-color': '#d93025' } },
        { selector: 'node.router.status-ACTIVE', style: { 'background-color': '#6c4fd1' } },
        { selector: 'node.fip', style: { shape: 'tag', width: 22, height: 16, 'background-color': '#e08a00', 'font-size': 9,
          'text-valign': 'bottom' } },
        { selector: 'node.fip.status-DOWN', style: { 'background-color': '#f5c27a' } },
        { selector: 'node.host', style: { shape: 'rectangle', width: 40, height: 26, 'background-color': '#d0d7de',
          'border-width': 3, 'text-valign': 'bottom', 'font-size': 11 } },
        { selector: 'node.host.alive', style: { 'border-color': '#2e9d4f' } },
        { selector: 'node.host.dead', style: { 'border-color': '#d93025', 'background-color': '#f3d1d1' } },
        { selector: 'edge', style: { width: 2, 'line-color': '#8c959f', 'curve-style': 'straight', 'font-size': 9,
          'text-background-color': '#fff', 'text-background-opacity': 0.8 } },
        { selector: 'edge.gateway', style: { 'line-color': '#0a7ea4', width: 3 } },
        { selector: 'edge.nat', style: { 'line-style': 'dashed', 'line-color': '#e08a00', label: 'data(label)' } },
        { selector: '.dim', style: { opacity: 0.2 } },
        { selector: 'node.match', style: { 'border-width': 5, 'border-color': '#ff00aa', opacity: 1 } },
        { selector: ':selected', style: { 'overlay-color': '#0969da', 'overlay-opacity': 0.15 } },
        { selector: 'node.trace', style: { 'border-width': 5, 'border-color': '#ff7a00', label: 'data(tlabel)', 'z-index': 20 } },
        { selector: 'edge.trace', style: { 'line-color': '#ff7a00', width: 5, 'z-index': 20, label: 'data(tlabel)',
          'target-arrow-shape': 'triangle', 'target-arrow-color': '#ff7a00', 'curve-style': 'bezier', color: '#8250df', 'font-weight': 'bold',
          'text-wrap': 'wrap' } },
        { selector: 'edge.trace-step', style: { 'line-style': 'dashed' } },
        { selector: 'edge.trace.rev', style: { 'target-arrow-shape': 'none', 'source-arrow-shape': 'triangle', 'source-arrow-color': '#ff7a00' } },
        { selector: 'node.drop', style: { 'border-width': 7, 'border-color': '#d93025', 'z-index': 30 } },
        { selector: 'node.secgroup', style: { shape: 'round-tag', width: 30, height: 24, 'background-color': '#d93025',
          color: '#d93025', 'font-weight': 'bold', 'font-size': 12, 'text-valign': 'bottom', label: 'data(label)' } },
        { selector: 'edge.drop', style: { 'line-color': '#d93025', width: 4, 'line-style': 'dotted', 'curve-style': 'bezier',
          label: 'data(label)', color: '#d93025' } },
      ],
    });
    S.cy.on('tap', 'node', (ev) => showDetails(ev.target));
    let lt = null;
    S.cy.on('viewport', () => { clearTimeout(lt); lt = setTimeout(updateLabels, 120); });
    for (const ev of ['mousedown', 'wheel', 'touchstart']) $('cy').addEventListener(ev, () => { S.userMoved = true; }, { passive: true });
  }

  // render brings the graph in line with the data: adds, removes and updates elements and
  // places them again; the view stays where the user left it (fitted the first time).
  async function render() {
    const cy = S.cy;
    const t0 = performance.now();
    const els = elements();
    const t1 = performance.now();
    const pos = layout(els);
    const t2 = performance.now();
    const want = new Map(els.map((e) => [e.data.id, e]));
    cy.batch(() => {
      cy.elements().forEach((el) => {
        if (!el.removed() && !want.has(el.id()) && !el.hasClass('overlay')) { S.sig.delete(el.id()); el.remove(); }
      });
      const add = [];
      for (const e of els) {
        const cur = cy.getElementById(e.data.id);
        const same = cur.nonempty() && (e.group === 'edges'
          ? cur.data('source') === e.data.source && cur.data('target') === e.data.target
          : (cur.data('parent') || null) === (e.data.parent || null));
        if (same) {
          // Only what changed is touched: at a thousand ports, most of them did not.
          const sig = JSON.stringify(e.data) + '|' + e.classes;
          if (S.sig.get(e.data.id) === sig) continue;
          S.sig.set(e.data.id, sig);
          const { id, parent, source, target, ...rest } = e.data; // immutable in cytoscape
          cur.data(rest);
          const keep = ['trace', 'drop', 'match', 'dim', 'rev', 'labelled'].filter((c) => cur.hasClass(c));
          cur.classes(e.classes + (keep.length ? ' ' + keep.join(' ') : ''));
        } else {
          if (cur.nonempty()) cur.remove();
          S.sig.set(e.data.id, JSON.stringify(e.data) + '|' + e.classes);
          add.push(Object.assign({}, e, e.group === 'nodes' && pos.has(e.data.id) ? { position: pos.get(e.data.id) } : {}));
        }
      }
      cy.add(add.filter((e) => e.group === 'nodes'));
      cy.add(add.filter((e) => e.group === 'edges'));
      cy.nodes().forEach((n) => {
        const p = pos.get(n.id());
        if (!p || n.isParent()) return;
        const q = n.position();
        if (q.x !== p.x || q.y !== p.y) n.position(p);
      });
    });
    const t3 = performance.now();
    // The view follows the topology until the user moves it.
    if ((!S.fitted || !S.userMoved) && cy.nodes().length) { fitView(); S.fitted = true; }
    updateLabels();
    applySearch();
    refreshTraceSources();
    updateHealth();
    // Drawn: after the next two frames the canvas holds the new graph.
    await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
    S.renders++;
    const t4 = performance.now();
    S.lastRender = { ms: t4 - t0, build_ms: t1 - t0, layout_ms: t2 - t1, apply_ms: t3 - t2, draw_ms: t4 - t3,
      nodes: cy.nodes().length, edges: cy.edges().length };
    $('health-render').textContent = S.lastRender.ms.toFixed(0) + ' ms (' + S.lastRender.nodes + ' nodes, ' + S.lastRender.edges + ' edges)';
  }

  const LABEL_ALL = 300; // up to this many ports, every port shows its label

  function updateLabels() {
    const cy = S.cy;
    const ports = cy.nodes('.port');
    if (ports.length <= LABEL_ALL) {
      ports.not('.labelled').addClass('labelled');
      return;
    }
    const ext = cy.extent();
    const zoomed = cy.zoom() >= 0.7;
    cy.batch(() => ports.forEach((n) => {
      const p = n.position();
      const want = zoomed && p.x >= ext.x1 && p.x <= ext.x2 && p.y >= ext.y1 && p.y <= ext.y2;
      if (want !== n.hasClass('labelled')) n.toggleClass('labelled', want);
    }));
  }

  function fitView(eles) {
    const cy = S.cy;
    cy.stop(true); // a running animation (to a trace, a search hit) would undo the fit
    cy.fit(eles, 40);
    if (cy.zoom() > 1.6) {
      cy.zoom(1.6);
      cy.center(eles);
    }
  }

  // ---------- search ----------

  function applySearch() {
    const cy = S.cy;
    const q = $('search').value.trim().toLowerCase();
    cy.elements().removeClass('match dim');
    if (!q) { $('search-count').textContent = ''; return cy.collection(); }
    const hits = cy.nodes().filter((n) => (n.data('search') || '').includes(q));
    cy.elements().addClass('dim');
    hits.removeClass('dim').addClass('match');
    hits.ancestors().removeClass('dim');
    hits.connectedEdges().removeClass('dim');
    $('search-count').textContent = hits.length + (hits.length === 1 ? ' match' : ' matches');
    return hits;
  }

  function onSearch() {
    const hits = applySearch();
    if (hits.length) {
      S.userMoved = true;
      if (hits.length === 1) S.cy.animate({ center: { eles: hits }, zoom: 1.5, duration: 250 });
      else S.cy.animate({ fit: { eles: hits, padding: 80 }, duration: 250 });
    }
  }

  // ---------- details ----------

  function row(table, k, v) {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    const td = document.createElement('td');
    th.textContent = k;
    td.textContent = v === undefined || v === null || v === '' ? '–' : String(v);
    tr.append(th, td);
    table.append(tr);
  }

  const COLLECTION_OF = { network: 'networks', router: 'routers', port: 'ports', fip: 'floatingips' };

  function showDetails(node) {
    selectTab('details');
    const box = $('details');
    box.replaceChildren();
    $('details-empty').hidden = true;
    const kind = node.data('kind');
    const rid = node.data('rid');
    let doc = null;
    const h = document.createElement('h3');
    const t = document.createElement('table');
    if (kind === 'network') {
      doc = S.data.networks.get(rid);
      h.textContent = 'Network ' + (doc.name || rid);
      row(t, 'id', rid);
      row(t, 'external', doc['router:external'] ? 'yes' : 'no');
      row(t, 'type', doc['provider:network_type']);
      row(t, 'shared', doc.shared ? 'yes' : 'no');
      row(t, 'status', doc.status);
      for (const s of S.data.subnets.values()) if (s.network_id === rid) row(t, 'subnet ' + (s.name || short(s.id)), s.cidr + (s.gateway_ip ? ' gw ' + s.gateway_ip : ''));
      row(t, 'ports', node.children().length);
    } else if (kind === 'router') {
      doc = S.data.routers.get(rid);
      h.textContent = 'Router ' + (doc.name || rid);
      row(t, 'id', rid);
      row(t, 'status', doc.status);
      const gw = doc.external_gateway_info;
      if (gw) {
        const n = S.data.networks.get(gw.network_id);
        row(t, 'gateway', (n ? n.name : gw.network_id) + ' ' + (gw.external_fixed_ips || []).map((f) => f.ip_address).join(' ') +
          (gw.enable_snat === false ? ' (no SNAT)' : ' (SNAT)'));
      }
      for (const p of S.data.ports.values()) {
        if (p.device_id === rid && portKind(p) === 'router-if') {
          const n = S.data.networks.get(p.network_id);
          row(t, 'interface', (n ? n.name : p.network_id) + ' ' + ipsOf(p).join(' '));
        }
      }
      for (const r of doc.routes || []) row(t, 'route', r.destination + ' via ' + r.nexthop);
    } else if (kind === 'port') {
      doc = S.data.ports.get(rid);
      h.textContent = 'Port ' + (doc.name || rid);
      row(t, 'id', rid);
      row(t, 'kind', node.data('pkind') + (doc.device_owner ? ' (' + doc.device_owner + ')' : ''));
      row(t, 'status', doc.status);
      row(t, 'addresses', ipsOf(doc).join(' '));
      row(t, 'MAC', doc.mac_address);
      row(t, 'host', doc['binding:host_id']);
      row(t, 'security groups', (doc.security_groups || []).join(' '));
      row(t, 'device', doc.device_id);
    } else if (kind === 'fip') {
      doc = S.data.floatingips.get(rid);
      h.textContent = 'Floating IP ' + doc.floating_ip_address;
      row(t, 'id', rid);
      row(t, 'status', doc.status);
      row(t, 'fixed IP', doc.fixed_ip_address);
      row(t, 'port', doc.port_id);
      row(t, 'router', doc.router_id);
    } else if (kind === 'host') {
      doc = S.agents.find((a) => a.id === rid);
      h.textContent = 'Host ' + (doc.description || rid);
      row(t, 'id', rid);
      row(t, 'alive', doc.alive ? 'yes' : 'no');
      row(t, 'type', doc.agent_type);
    } else if (kind === 'secgroup') {
      doc = node.data('doc') || {};
      h.textContent = 'Security group ' + (doc.name || rid);
      row(t, 'id', rid);
    }
    box.append(h, t);
    if (kind === 'port' && S.cfg.trace) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = 'Trace from this port';
      b.id = 'details-trace';
      b.onclick = () => { $('trace-from').value = rid; selectTab('trace'); $('trace-dst').focus(); };
      box.append(b);
    }
    const h4 = document.createElement('h4');
    h4.textContent = 'Neutron document';
    const pre = document.createElement('pre');
    pre.textContent = JSON.stringify(doc, null, 2);
    box.append(h4, pre);
    if (COLLECTION_OF[kind]) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = 'MidoNet objects';
      const out = document.createElement('pre');
      out.hidden = true;
      b.onclick = async () => {
        out.hidden = false;
        out.textContent = 'loading…';
        try {
          const o = await api('/ui/objects?collection=' + COLLECTION_OF[kind] + '&id=' + encodeURIComponent(rid));
          out.textContent = o.objects.length ? o.objects.map((x) => x.kind + ' ' + x.id + '\n' + JSON.stringify(x.object, null, 2)).join('\n\n')
            : 'no objects (not translated yet, or not translated at all)';
        } catch (e) {
          out.textContent = e.message;
        }
      };
      box.append(b, out);
    }
  }

  // ---------- trace ----------

  function refreshTraceSources() {
    const sel = $('trace-from');
    const cur = sel.value;
    const ports = [...S.data.ports.values()].filter((p) => ['vm', 'other'].includes(portKind(p)))
      .sort((a, b) => ((a.name || a.id) < (b.name || b.id) ? -1 : 1));
    const key = ports.map((p) => p.id + (p.name || '')).join(',');
    if (sel.dataset.key === key) return;
    sel.dataset.key = key;
    sel.replaceChildren();
    for (const p of ports) {
      const o = document.createElement('option');
      o.value = p.id;
      o.textContent = (p.name || short(p.id)) + ' ' + ipsOf(p).join(' ');
      sel.append(o);
    }
    if (cur) sel.value = cur;
  }

  function clearTrace() {
    const cy = S.cy;
    cy.batch(() => {
      cy.elements('.overlay').remove();
      cy.elements().removeClass('trace drop rev');
      cy.elements().forEach((e) => e.removeData('tlabel'));
    });
    S.trace = null;
    $('trace-result').replaceChildren();
  }

  function nodeName(id) {
    const el = S.cy.getElementById(id);
    return el.nonempty() ? (el.data('label') || id).split('\n')[0] : id;
  }

  // hopNodes are the map's nodes one hop passes: the port it names (when drawn) and its device.
  function hopNodes(h) {
    const out = [];
    const has = (id) => S.cy.getElementById(id).nonempty();
    if (h.port && has('port:' + h.port)) out.push('port:' + h.port);
    if (h.device_type === 'port' && has('port:' + h.device)) out.push('port:' + h.device);
    else if (h.device_type === 'bridge' && has('net:' + h.device)) out.push('net:' + h.device);
    else if (h.device_type === 'router' && has('router:' + h.device)) out.push('router:' + h.device);
    return out;
  }

  async function runTrace(ev) {
    ev.preventDefault();
    clearTrace();
    const q = new URLSearchParams({ from_port: $('trace-from').value, dst: $('trace-dst').value.trim(), proto: $('trace-proto').value });
    if ($('trace-dport').value) q.set('dport', $('trace-dport').value);
    const out = $('trace-result');
    out.textContent = 'tracing…';
    let res;
    try {
      res = await api('/trace?' + q.toString());
    } catch (e) {
      out.textContent = e.status === 403 ? 'Tracing is for admins (' + e.message + ')' : 'Trace failed: ' + e.message;
      return;
    }
    await drawTrace(res);
  }

  async function drawTrace(res) {
    const cy = S.cy;
    const out = $('trace-result');
    out.replaceChildren();
    // The path: the nodes of every hop in order, without repeating one in a row.
    const path = [];
    const natAt = new Map(); // path index → NAT text of the hops there
    res.hops.forEach((h) => {
      for (const id of hopNodes(h)) if (path[path.length - 1] !== id) path.push(id);
      if (h.nat && path.length) natAt.set(path.length - 1, (natAt.has(path.length - 1) ? natAt.get(path.length - 1) + '\nNAT ' : '') + h.nat);
    });
    const edges = [];
    cy.batch(() => {
      // Each node on the path is numbered in the order the packet first reaches it.
      let step = 0;
      for (const id of path) {
        const n = cy.getElementById(id);
        if (n.hasClass('trace')) continue;
        n.addClass('trace');
        n.data('tlabel', (n.data('label') || '').split('\n')[0] + '  ·' + (++step));
      }
      for (let i = 0; i + 1 < path.length; i++) {
        const a = cy.getElementById(path[i]);
        const b = cy.getElementById(path[i + 1]);
        if (a.parent().same(b) || b.parent().same(a) || a.same(b)) {
          if (natAt.has(i)) a.data('tlabel', a.data('tlabel') + '\nNAT ' + natAt.get(i));
          continue;
        }
        let e = a.edgesWith(b);
        if (e.empty()) {
          e = cy.add({ group: 'edges', data: { id: 'trace:' + i, source: path[i], target: path[i + 1] }, classes: 'overlay trace-step' });
        } else if (e.data('source') !== path[i]) {
          e.addClass('rev'); // the packet goes against the edge's direction
        }
        e.addClass('trace');
        e.data('tlabel', natAt.has(i) ? 'NAT ' + natAt.get(i) : '');
        edges.push(e.id());
      }
    });
    const head = document.createElement('p');
    const v = document.createElement('span');
    v.className = 'verdict ' + res.verdict;
    v.id = 'trace-verdict';
    v.textContent = res.verdict;
    head.append(v);
    if (res.egress && res.egress.length) {
      head.append(' → ' + res.egress.map((e) => e.port_name || short(e.port_id)).join(', '));
    }
    out.append(head);
    let dropText = '';
    if (res.drop) {
      const d = res.drop;
      const at = (d.port_id && cy.getElementById('port:' + d.port_id).nonempty()) ? 'port:' + d.port_id
        : ['router:', 'net:', 'port:'].map((p) => p + d.device_id).find((id) => cy.getElementById(id).nonempty());
      const box = document.createElement('div');
      box.id = 'trace-drop';
      if (at) cy.getElementById(at).addClass('drop');
      const where = at ? nodeName(at) : (d.port_id || d.device_id || 'the topology');
      dropText = (res.summary ? res.summary + '\n' : '') + 'Dropped at ' + where + ' (' + d.kind + '): ' + d.reason;
      if (d.security_group_id) {
        let sg = null;
        try { sg = (await api('/v2.0/security-groups/' + d.security_group_id)).security_group; } catch (e) { sg = null; }
        const name = sg ? (sg.name || short(sg.id)) : short(d.security_group_id);
        const rule = sg && (sg.security_group_rules || []).find((r) => r.id === d.rule_id);
        dropText += '\nSecurity group ' + name + ' (' + d.security_group_id + ')' +
          (rule ? ' rule ' + rule.id + ': ' + [rule.direction, rule.ethertype, rule.protocol || 'any',
            rule.port_range_min ? rule.port_range_min + '-' + rule.port_range_max : '', rule.remote_ip_prefix || ''].join(' ')
            : ': no rule of the group allowed it') + (d.chain_name ? '\nchain ' + d.chain_name : '');
        const atNode = at ? cy.getElementById(at) : null;
        const p = atNode ? atNode.position() : { x: 0, y: 0 };
        cy.add({ group: 'nodes', data: { id: 'sg:' + d.security_group_id, rid: d.security_group_id, kind: 'secgroup', doc: sg,
          label: 'security group ' + name }, classes: 'overlay secgroup drop', position: { x: p.x, y: p.y + 110 } });
        if (atNode) {
          cy.add({ group: 'edges', data: { id: 'sgdrop:' + d.security_group_id, source: 'sg:' + d.security_group_id, target: at,
            label: 'dropped' }, classes: 'overlay drop' });
        }
      } else if (d.kind === 'no-route' || d.kind === 'blackhole' || d.kind === 'reject') {
        dropText += '\nRoute: ' + d.kind + ' at router ' + nodeName('router:' + d.device_id);
      } else if (d.chain_name) {
        dropText += '\nchain ' + d.chain_name + (d.rule_id ? ' rule ' + d.rule_id : '');
      }
      box.textContent = dropText;
      box.style.whiteSpace = 'pre-wrap';
      out.append(box);
    }
    const ol = document.createElement('ol');
    ol.className = 'hops';
    res.hops.forEach((h, i) => {
      // The steps `midonet trace` prints: by Neutron names; the minor ones (jumps, chains
      // where no rule applies) only in the tooltip of MidoNet's terms.
      if (h.minor && !(res.drop && i === res.hops.length - 1)) return;
      const li = document.createElement('li');
      const ids = hopNodes(h);
      const dev = h.device_type === 'bridge' ? nodeName('net:' + h.device) : h.device_type === 'router' ? nodeName('router:' + h.device)
        : h.device_type === 'port' ? nodeName('port:' + h.device) : short(h.device);
      const raw = [h.device_type, dev, h.direction, h.chain_name ? 'chain ' + h.chain_name : '', h.rule_action,
        h.nat ? 'NAT ' + h.nat : '', h.note].filter(Boolean).join(' · ');
      li.textContent = h.text || raw;
      li.title = raw;
      if (h.nat) li.className = 'nat';
      if (res.drop && i === res.hops.length - 1) li.className = 'dropped';
      li.onclick = () => { const els = S.cy.collection(ids.map((id) => S.cy.getElementById(id))); if (els.length) S.cy.animate({ center: { eles: els }, duration: 200 }); };
      ol.append(li);
    });
    out.append(ol);
    S.trace = { verdict: res.verdict, path, edges, drop: res.drop || null, dropText };
    const all = cy.elements('.trace, .drop');
    if (all.length) {
      S.userMoved = true; // keep the trace in view while the map changes
      cy.animate({ fit: { eles: all, padding: 110 }, duration: 250 });
    }
  }

  // ---------- health ----------

  let healthTimer = null;

  async function updateHealth() {
    const alive = S.agents.filter((a) => a.alive).length;
    $('health-agents').textContent = S.agentsVisible ? alive + ' of ' + S.agents.length : 'not shown to you (admins only)';
    const list = $('health-agent-list');
    list.replaceChildren();
    for (const a of S.agents) {
      const li = document.createElement('li');
      li.className = a.alive ? 'alive-yes' : 'alive-no';
      li.textContent = (a.description || a.id) + ': ' + (a.alive ? 'alive' : 'down');
      list.append(li);
    }
    $('health-counts').textContent = S.data.networks.size + ' networks, ' + S.data.routers.size + ' routers, ' +
      S.data.ports.size + ' ports, ' + S.data.floatingips.size + ' floating IPs';
  }

  // metrics reads the gauges the page shows from /metrics (Prometheus text).
  async function loadMetrics() {
    try {
      const text = await api('/metrics');
      const get = (name) => {
        const m = String(text).match(new RegExp('^' + name + '(?:\\{[^}]*\\})? ([0-9.eE+-]+)$', 'm'));
        return m ? Number(m[1]) : null;
      };
      const drift = get('midonet_drift');
      const backlog = get('midonet_task_backlog');
      $('health-drift').textContent = drift === null ? 'not measured yet' : String(drift) + (drift === 0 ? ' (in sync)' : ' differences');
      $('health-drift').className = drift ? 'alive-no' : 'alive-yes';
      $('health-backlog').textContent = backlog === null ? '–' : String(backlog) + ' tasks';
      $('health-note').textContent = 'Drift is what the last verification left different between the Neutron database and the NSDB (midonet db-manage verify).';
    } catch (e) {
      $('health-note').textContent = 'Metrics: ' + e.message;
    }
  }

  function selectTab(name) {
    for (const b of document.querySelectorAll('aside nav button')) b.classList.toggle('active', b.dataset.tab === name);
    for (const t of ['details', 'trace', 'health']) $('tab-' + t).hidden = t !== name;
    clearInterval(healthTimer);
    if (name === 'health') {
      loadMetrics();
      healthTimer = setInterval(loadMetrics, 10000);
    }
  }

  // ---------- wiring ----------

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', login);
    $('logout').addEventListener('click', () => logout(''));
    $('trace-form').addEventListener('submit', runTrace);
    $('trace-clear').addEventListener('click', clearTrace);
    $('fit').addEventListener('click', () => { if (S.cy) { S.userMoved = false; fitView(); } });
    let t = null;
    $('search').addEventListener('input', () => { clearTimeout(t); t = setTimeout(onSearch, 150); });
    $('search').addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter') return;
      const hits = applySearch();
      if (hits.length) { showDetails(hits[0]); S.cy.animate({ center: { eles: hits[0] }, zoom: 1.5, duration: 250 }); }
    });
    for (const b of document.querySelectorAll('aside nav button')) b.addEventListener('click', () => selectTab(b.dataset.tab));
    if (typeof cytoscape !== 'function') {
      document.body.textContent = 'The graph library did not load.';
      return;
    }
    init().catch((e) => { document.body.textContent = 'The page could not start: ' + e.message; });
  });

  // For the browser tests and for the curious: what is drawn, as data.
  window.midonetUI = {
    snapshot() {
      if (!S.cy) return { nodes: [], edges: [] };
      return {
        nodes: S.cy.nodes().map((n) => ({ id: n.id(), kind: n.data('kind'), label: n.data('label'), parent: n.data('parent') || '',
          classes: n.classes().join(' '), tlabel: n.data('tlabel') || '' })),
        edges: S.cy.edges().map((e) => ({ id: e.id(), source: e.data('source'), target: e.data('target'), label: e.data('label') || '',
          classes: e.classes().join(' '), tlabel: e.data('tlabel') || '' })),
      };
    },
    // Where a node is drawn, in page coordinates (for a test's mouse click).
    pagePosition(id) {
      const n = S.cy && S.cy.getElementById(id);
      if (!n || n.empty()) return null;
      const p = n.renderedPosition();
      const r = $('cy').getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    },
    viewport() {
      return S.cy ? { zoom: S.cy.zoom(), pan: S.cy.pan(), extent: S.cy.extent(), moved: S.userMoved } : null;
    },
    state() {
      return { loaded: S.loaded, live: S.live, renders: S.renders, changes: S.changes, lastRender: S.lastRender, lastLoad: S.lastLoad,
        trace: S.trace, counts: Object.fromEntries(COLLECTIONS.map((c) => [c, S.data[c].size])) };
    },
  };
})();
