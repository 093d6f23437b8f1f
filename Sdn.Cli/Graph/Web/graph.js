'use strict';
// Draws the snapshots `sdn graph` sends as server-sent events ("fabric", one every quarter second) with cytoscape,
// and lists the same nodes and links in the tables beside it.

const stateColors = { up: '#2a7d2a', down: '#b3261e', failed: '#b3261e', pending: '#c99a00' };

const cy = cytoscape({
  container: document.getElementById('graph'),
  style: [
    { selector: 'node', style: { label: 'data(label)', 'text-wrap': 'wrap', 'text-valign': 'center', color: '#fff', 'font-size': 11, width: 54, height: 30, 'border-width': 3, 'border-color': (n) => stateColors[n.data('state')] } },
    { selector: 'node[kind = "core"]', style: { shape: 'ellipse', 'background-color': '#3b4a6b', width: 60, height: 60 } },
    { selector: 'node[kind = "edge"]', style: { shape: 'rectangle', 'background-color': '#52708f', width: 60 } },
    { selector: 'node[kind = "vm"]', style: { shape: 'round-rectangle', 'background-color': '#6c8f52' } },
    { selector: 'node[kind = "host"]', style: { shape: 'cut-rectangle', 'background-color': '#8f7a52' } },
    { selector: 'node[kind = "external"]', style: { shape: 'hexagon', 'background-color': '#6b5a8f', width: 96, height: 52 } },
    { selector: 'edge', style: { label: 'data(label)', 'font-size': 10, 'text-background-color': '#fff', 'text-background-opacity': 0.8, width: 3, 'line-color': (e) => stateColors[e.data('state')], 'curve-style': 'bezier' } },
    { selector: 'edge[kind = "port"], edge[kind = "uplink"]', style: { width: 2 } },
    { selector: 'edge[state != "up"]', style: { 'line-style': 'dashed', color: '#b3261e' } },
    { selector: ':selected', style: { 'overlay-opacity': 0.2 } },
  ],
});
window.sdnGraph = cy;

let drawn = '';

function rate(pps) {
  return pps >= 1000 ? `${(pps / 1000).toFixed(1)}k` : pps.toFixed(0);
}

function row(cells, attributes) {
  const tr = document.createElement('tr');
  Object.entries(attributes).forEach(([name, value]) => tr.setAttribute(`data-${name}`, value));
  cells.forEach((text) => {
    const td = document.createElement('td');
    td.textContent = text;
    tr.appendChild(td);
  });
  return tr;
}

// What of a node can change without redrawing the graph: its state, and the notes under its name (an external
// network's interface and address).
function looks(node) {
  return { state: node.state, label: [node.name, ...node.notes].join('\n') };
}

function draw(snapshot) {
  const shape = snapshot.nodes.map((n) => n.id).concat(snapshot.links.map((l) => l.id)).join(' ');
  if (shape !== drawn) {
    cy.elements().remove();
    cy.add(snapshot.nodes.map((n) => ({ group: 'nodes', data: { id: n.id, name: n.name, kind: n.kind, ...looks(n) } })));
    cy.add(snapshot.links.map((l) => ({ group: 'edges', data: { id: l.id, source: l.source, target: l.target, kind: l.kind, state: l.state, label: '' } })));
    // Tiers, as a spine-and-leaf fabric is drawn: the core on top, the edges under it, their VMs, hosts and external
    // networks below.
    cy.layout({ name: 'breadthfirst', roots: cy.nodes('[kind = "core"]'), padding: 30 }).run();
    drawn = shape;
  }

  snapshot.nodes.forEach((n) => cy.getElementById(n.id).data(looks(n)));
  snapshot.links.forEach((l) => cy.getElementById(l.id).data({
    state: l.state,
    label: l.state === 'up' ? `${rate(l.aToBPps)} / ${rate(l.bToAPps)} pkt/s` : l.state,
  }));
}

function list(snapshot) {
  const links = document.querySelector('#links tbody');
  links.replaceChildren(...snapshot.links.map((l) => row(
    [l.name, `${l.source} — ${l.target}`, l.reason ? `${l.state}: ${l.reason}` : l.state, rate(l.aToBPps), rate(l.bToAPps),
      l.ports.map((p) => `${p.node}:${p.port} ${rate(p.rxPps)}/${rate(p.txPps)}`).join(', ')],
    { id: l.id, state: l.state },
  )));
  const nodes = document.querySelector('#nodes tbody');
  nodes.replaceChildren(...snapshot.nodes.map((n) => {
    const tr = row([n.name, n.kind, n.reason ? `${n.state}: ${n.reason}` : n.state], { id: n.id, state: n.state });
    tr.addEventListener('click', () => show(n.kind, n.name));
    return tr;
  }));
}

async function show(kind, name) {
  document.getElementById('details-title').textContent = `${kind} ${name}`;
  const response = await fetch(`nodes/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`);
  const details = response.ok ? await response.json() : { counters: await response.text(), flows: '' };
  document.getElementById('counters').textContent = details.counters;
  document.getElementById('flows').textContent = details.flows;
}

const status = document.getElementById('status');
const events = new EventSource('events');
events.addEventListener('fabric', (event) => {
  const snapshot = JSON.parse(event.data);
  draw(snapshot);
  list(snapshot);
  status.dataset.state = snapshot.error ? 'error' : 'live';
  status.textContent = snapshot.error ? `controller: ${snapshot.error}` : `live, state version ${snapshot.version}`;
});
events.addEventListener('error', () => {
  status.dataset.state = 'error';
  status.textContent = 'lost the page\'s server (`sdn graph`); retrying…';
});
cy.on('tap', 'node', (event) => show(event.target.data('kind'), event.target.data('name')));
