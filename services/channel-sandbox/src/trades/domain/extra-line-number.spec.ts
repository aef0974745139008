import { neighbourNumberOf } from './extra-line-number';

describe('neighbourNumberOf', () => {
  it('moves the last digit on by one, wrapping 9 to 0, so it never equals the real number', () => {
    expect(neighbourNumberOf('2026120122001400000000000001')).toBe('2026120122001400000000000002');
    expect(neighbourNumberOf('4200000000000000009')).toBe('4200000000000000000');
    for (let digit = 0; digit <= 9; digit += 1) {
      expect(neighbourNumberOf(`12345${digit}`)).not.toBe(`12345${digit}`);
    }
  });
});
