const path = '/work/wt/issue-17/packages/';
for (const s of ['symbol-get-file', 'symbol-get', 'get-ops', 'register-ops'])
  require(path + 'strategy-' + s + '/dist/index.js');
const ex = require(path + 'explorer/dist/index.js');
for (const [sc, st] of [
  ['add-vs-del', 'symbol-get-file/v5.19-race'],
  ['add-vs-del', 'symbol-get/v5.17-race'],
  ['add-vs-add', 'get-ops/no-file-ref'],
  ['rmmod-kvm_vfio-vs-create-device', 'register-ops/unlocked'],
  ['rmmod-kvm_vfio-vs-create-device', 'register-ops/no-owner'],
]) {
  const v = ex.explore(sc, st);
  const r = ex.labBugReport(sc, st, v);
  console.log(ex.renderBugReport(r, { width: Number(process.env.W || Infinity) }));
}
