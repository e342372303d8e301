;; Lead scan: where one of up to eight groups of 1-3 byte leads may start in a text, 16 positions at a time.
;;
;; Memory: bytes 0-95 hold, for each lead position j = 0, 1, 2, two 16-byte tables at 32j (by low nibble) and 32j + 16
;; (by high nibble); entry k holds bit g when some lead of group g may have a byte with that nibble at position j.
;; The text starts at byte `text`, followed by at least 18 zero bytes. A position p matches when, at each j, both
;; nibbles of byte p + j share a group bit across all three positions (a superset of the leads: nibbles and bytes of a
;; group combine freely). Matching positions below `len` are written as i32 from `out`, at most `cap` of them.
;; Returns their count; `cap` means the list may be cut short.
(module
  (memory (export "memory") 1)
  (func (export "scan") (param $text i32) (param $len i32) (param $out i32) (param $cap i32) (result i32)
    (local $i i32) (local $n i32) (local $bits i32) (local $p i32)
    (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $hi1 v128) (local $lo2 v128) (local $hi2 v128)
    (local $nib v128) (local $v v128) (local $acc v128)
    (local.set $lo0 (v128.load (i32.const 0)))
    (local.set $hi0 (v128.load (i32.const 16)))
    (local.set $lo1 (v128.load (i32.const 32)))
    (local.set $hi1 (v128.load (i32.const 48)))
    (local.set $lo2 (v128.load (i32.const 64)))
    (local.set $hi2 (v128.load (i32.const 80)))
    (local.set $nib (i8x16.splat (i32.const 15)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $v (v128.load offset=0 align=1 (i32.add (local.get $text) (local.get $i))))
        (local.set $acc
          (v128.and
            (i8x16.swizzle (local.get $lo0) (v128.and (local.get $v) (local.get $nib)))
            (i8x16.swizzle (local.get $hi0) (i8x16.shr_u (local.get $v) (i32.const 4)))))
        (local.set $v (v128.load offset=1 align=1 (i32.add (local.get $text) (local.get $i))))
        (local.set $acc
          (v128.and (local.get $acc)
            (v128.and
              (i8x16.swizzle (local.get $lo1) (v128.and (local.get $v) (local.get $nib)))
              (i8x16.swizzle (local.get $hi1) (i8x16.shr_u (local.get $v) (i32.const 4))))))
        (local.set $v (v128.load offset=2 align=1 (i32.add (local.get $text) (local.get $i))))
        (local.set $acc
          (v128.and (local.get $acc)
            (v128.and
              (i8x16.swizzle (local.get $lo2) (v128.and (local.get $v) (local.get $nib)))
              (i8x16.swizzle (local.get $hi2) (i8x16.shr_u (local.get $v) (i32.const 4))))))
        (if (v128.any_true (local.get $acc))
          (then
            (local.set $bits (i8x16.bitmask (i8x16.ne (local.get $acc) (v128.const i64x2 0 0))))
            (loop $each
              (local.set $p (i32.add (local.get $i) (i32.ctz (local.get $bits))))
              (if (i32.lt_u (local.get $p) (local.get $len))
                (then
                  (if (i32.ge_u (local.get $n) (local.get $cap)) (then (return (local.get $n))))
                  (i32.store (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))) (local.get $p))
                  (local.set $n (i32.add (local.get $n) (i32.const 1)))))
              (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
              (br_if $each (local.get $bits)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks)))
    (local.get $n)))
