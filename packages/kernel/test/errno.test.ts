import { errno, errnoName } from '@coupling-lab/kernel';

test('errno values are the Linux ones', () => {
  expect(errno.EBADF).toBe(9);
  expect(errno.EWOULDBLOCK).toBe(errno.EAGAIN);
  expect(errnoName(-errno.EBUSY)).toBe('EBUSY');
  expect(errnoName(0)).toBeUndefined();
});
