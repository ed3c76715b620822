import { Cursor } from '../cursor.js';
import { GobinError } from '../errors.js';
import { DW_OP } from './constants.js';

/**
 * Evaluates a DW_AT_data_member_location expression to a byte offset. DWARF 2
 * and 3 producers (and Go before 1.9) wrote `DW_OP_plus_uconst N`; a stack
 * machine over the constant and `plus` operations covers what producers emit
 * for struct members. Anything else (or a truncated expression) yields null:
 * the offset is not a constant.
 */
export function memberLocation(expr: Uint8Array): number | null {
  const c = new Cursor(expr, 'DW_AT_data_member_location');
  // The member offset is added to the struct's address, which DWARF pushes first.
  const stack: number[] = [0];
  try {
    while (!c.atEnd()) {
      const op = c.u8();
      if (op >= DW_OP.lit0 && op <= DW_OP.lit31) stack.push(op - DW_OP.lit0);
      else if (op === DW_OP.const1u) stack.push(c.u8());
      else if (op === DW_OP.const2u) stack.push(c.u16());
      else if (op === DW_OP.const4u) stack.push(c.u32());
      else if (op === DW_OP.constu) stack.push(c.uleb128());
      else if (op === DW_OP.consts) stack.push(c.sleb128());
      else if (op === DW_OP.plus_uconst) stack.push(stack.pop()! + c.uleb128());
      else if (op === DW_OP.plus && stack.length >= 2) stack.push(stack.pop()! + stack.pop()!);
      else return null;
      if (stack.length === 0 || !Number.isSafeInteger(stack[stack.length - 1])) return null;
    }
  } catch (err) {
    if (err instanceof GobinError) return null;
    throw err;
  }
  return stack.length === 1 ? stack[0] : null;
}
