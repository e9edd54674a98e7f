// Two small subjects for smoke.mjs, in a module of their own so that runInProcesses can load
// them in each child process. The same small piece of work reached two ways: 'plain' calls it,
// 'map' first looks it up in a Map by name, like a symbol table. Enough work (tens of ns) that
// the JIT cannot fold it away.
const data = Float64Array.from({ length: 48 }, (_, i) => i * 0.5);
let offset = 0;
function checksum(buf) {
  let s = 0;
  for (let i = offset & 15; i < buf.length; i++) s += buf[i] * i;
  offset++;
  return s;
}
const symbols = new Map(Array.from({ length: 64 }, (_, i) => [`sym${i}`, i === 7 ? checksum : () => i]));

// 'register' is stateful: it must be undone (restore, untimed) before it can run again.
export const subjects = [
  {
    name: 'plain',
    operations: {
      call: () => ({ run: () => checksum(data) }),
      register: () => {
        const slots = [];
        return { run: () => slots.push(checksum(data)), restore: () => slots.pop() };
      },
    },
  },
  {
    name: 'map',
    operations: {
      call: () => ({ run: () => symbols.get('sym7')(data) }),
      register: () => {
        const table = new Map();
        return {
          run: () => table.set('sym7', symbols.get('sym7')(data)),
          restore: () => table.delete('sym7'),
        };
      },
    },
  },
];
