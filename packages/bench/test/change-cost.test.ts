import '@coupling-lab/strategy-direct';
import '@coupling-lab/strategy-get-ops';
import '@coupling-lab/strategy-register-ops';
import '@coupling-lab/strategy-symbol-get-file';
import { changeCost, codeText, lineDiff } from '@coupling-lab/bench';
import { resolveStrategy } from '@coupling-lab/lab';

test('lineDiff counts the lines a known small diff adds and removes', () => {
  expect(lineDiff('a\nb\nc\n', 'a\nb\nc\n')).toEqual({ added: 0, removed: 0 });
  expect(lineDiff('a\nb\nc\n', 'a\nB\nc\nd\n')).toEqual({ added: 2, removed: 1 });
  expect(lineDiff('', 'x\ny\n')).toEqual({ added: 2, removed: 0 });
});

test("codeText diffs a port's code without its version name, and keeps every other change", () => {
  function portV1(kernel: { get(name: string): number }): number {
    return kernel.get('vfio_file_is_group');
  }
  function portV2(kernel: { get(name: string): number }): number {
    return kernel.get('vfio_file_is_group');
  }
  function portV3(kernel: { get(name: string): number }): number {
    return kernel.get('vfio_file_is_valid');
  }
  expect(lineDiff(codeText([portV1]), codeText([portV2]))).toEqual({ added: 0, removed: 0 });
  expect(lineDiff(codeText([portV1]), codeText([portV3]))).toEqual({ added: 1, removed: 1 });
});

describe('the cost of accepting device files on v6.6, measured', () => {
  test('get-ops: VFIO changes vfio_file_get_ops (a table per file type); KVM looks up nothing new and its port is unchanged', () => {
    const cost = changeCost(resolveStrategy('get-ops'));
    expect(cost.vfioExports).toEqual({ added: [], removed: [], changed: ['vfio_file_get_ops'] });
    expect(cost.kvmLookups).toEqual({ added: [], removed: [] });
    expect(cost.kvmPortLines).toMatchObject({ added: 0, removed: 0 });
    expect(cost.deviceFileAdd).toEqual({ groupsOnly: 'no device cdev', withDeviceFiles: 'ok' });
  });

  test.each(['symbol-get-file', 'direct', 'register-ops'])(
    '%s: vfio_file_is_group gives way to vfio_file_is_valid on both sides, and the port changes',
    (name) => {
      const cost = changeCost(resolveStrategy(name));
      expect(cost.vfioExports.added).toEqual(['vfio_file_is_valid']);
      expect(cost.vfioExports.removed).toEqual(['vfio_file_is_group']);
      expect(cost.vfioExports.changed).toEqual(['vfio_file_enforced_coherent', 'vfio_file_set_kvm']);
      expect(cost.kvmLookups).toEqual({ added: ['vfio_file_is_valid'], removed: ['vfio_file_is_group'] });
      expect(cost.kvmPortLines?.added).toBeGreaterThan(0);
      expect(cost.moduleEdgesAdded).toEqual([]);
      expect(cost.uapiAdded).toEqual(expect.arrayContaining(['/dev/iommu', 'VFIO_DEVICE_BIND_IOMMUFD']));
    },
  );
});
