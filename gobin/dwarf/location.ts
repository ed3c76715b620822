import { DW_OP } from './constants.js';

/**
 * Evaluates a DW_AT_data_member_location expression to a byte offset. DWARF 2
 * and 3 producers (and Go before 1.9) wrote `DW_OP_plus_uconst N`; a stack
 * machine over the constant and `plus` operations covers what producers emit
 * for struct members. Anything else yields null: the offset is not a constant.
 */
export function memberLocation(expr: Uint8Array): number | null {
  // The member offset is added to the struct's address, which DWARF pushes first.
  const stack: number[] = [0];
  let i = 0;
  const uleb = (): number => {
    let v = 0;
    let mul = 1;
    for (let n = 0; n < 10 && i < expr.length; n++) {
      const b = expr[i++];
      v += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) return v;
    }
    return NaN;
  };
  const sleb = (): number => {
    let v = 0;
    let mul = 1;
    for (let n = 0; n < 10 && i < expr.length; n++) {
      const b = expr[i++];
      v += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) return b & 0x40 ? v - mul : v;
    }
    return NaN;
  };
  const fixed = (n: number): number => {
    if (i + n > expr.length) return NaN;
    let v = 0;
    for (let k = n - 1; k >= 0; k--) v = v * 256 + expr[i + k];
    i += n;
    return v;
  };
  while (i < expr.length) {
    const op = expr[i++];
    if (op >= DW_OP.lit0 && op <= DW_OP.lit31) stack.push(op - DW_OP.lit0);
    else if (op === DW_OP.const1u) stack.push(fixed(1));
    else if (op === DW_OP.const2u) stack.push(fixed(2));
    else if (op === DW_OP.const4u) stack.push(fixed(4));
    else if (op === DW_OP.constu) stack.push(uleb());
    else if (op === DW_OP.consts) stack.push(sleb());
    else if (op === DW_OP.plus_uconst) stack.push(stack.pop()! + uleb());
    else if (op === DW_OP.plus && stack.length >= 2) stack.push(stack.pop()! + stack.pop()!);
    else return null;
    if (stack.length === 0 || !Number.isSafeInteger(stack[stack.length - 1])) return null;
  }
  return stack.length === 1 ? stack[0] : null;
}
