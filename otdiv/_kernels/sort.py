r"""LSD radix sort of floating-point bit patterns (no validation; see ``otdiv._kernels``).

A float's bit pattern ``b`` is mapped to an unsigned key that orders like the number:
negative floats (sign bit set) are complemented, the others get their sign bit set. Keys
are then sorted by ``ceil(width / digit_bits)`` stable counting passes, least significant
digit first; one read of the input builds every digit's histogram, and a pass whose digit is
the same for every key is skipped (common: the low digits of small integers, the high digits
of samples of one sign and a narrow range). The first pass forms the keys on the fly and the
last pass writes bit patterns back, so each kept pass is one read and one scattered write.

Order produced (the contract the tests check against ``np.sort``):

* numerically nondecreasing; ``-inf`` first, ``+inf`` last;
* ``-0.0`` before ``+0.0`` (``np.sort`` treats them as equal and leaves them in whatever
  order its algorithm produces; the distances only compare and subtract values, for which
  the two zeros are the same number);
* every NaN after ``+inf``, as in ``np.sort``; a NaN comes back with its sign bit cleared
  (callers validate values, so no NaN reaches the distances);
* stable: equal keys keep their input order (what the argsort variant needs).

All kernels release the GIL (``nogil=True``), so two samples can be sorted on two threads.
Buffers are allocated by the caller: ``out`` receives the result and ``scratch`` (same
length) is the second buffer of the ping-pong between passes.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["radix_sort_bits", "radix_argsort_bits"]


@numba.njit(cache=True, nogil=True, inline="always")
def _to_key(bits: int, sign: int, magnitude_of_inf: int) -> int:
    if (bits & ~sign) > magnitude_of_inf:  # NaN: after +inf, like np.sort
        return (bits & ~sign) | sign
    if bits & sign:
        return ~bits
    return bits | sign


@numba.njit(cache=True, nogil=True, inline="always")
def _from_key(key: int, sign: int) -> int:
    if key & sign:
        return key ^ sign
    return ~key


@numba.njit(cache=True, nogil=True)
def _histograms(source: np.ndarray, sign: int, magnitude_of_inf: int, key_bits: int,
                digit_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Counts of every digit of every key, one read of ``source``; and which passes to run.

    Returns the start offset of each digit value in each pass (``counts[pass, value]``) and
    the passes whose digit is not shared by every key. The digit updates are written out
    (guarded by the number of passes, 2 to 8) rather than looped over: a loop over the
    passes inside the element loop ran about twice as slow.
    """
    n_passes = (key_bits + digit_bits - 1) // digit_bits
    radix = 1 << digit_bits
    mask = radix - 1
    counts = np.zeros(8 * radix, dtype=np.int64)
    for i in range(source.shape[0]):
        key = _to_key(source[i], sign, magnitude_of_inf)
        counts[key & mask] += 1
        counts[radix + ((key >> digit_bits) & mask)] += 1
        if n_passes > 2:
            counts[2 * radix + ((key >> (2 * digit_bits)) & mask)] += 1
            if n_passes > 3:
                counts[3 * radix + ((key >> (3 * digit_bits)) & mask)] += 1
                if n_passes > 4:
                    counts[4 * radix + ((key >> (4 * digit_bits)) & mask)] += 1
                    if n_passes > 5:
                        counts[5 * radix + ((key >> (5 * digit_bits)) & mask)] += 1
                        if n_passes > 6:
                            counts[6 * radix + ((key >> (6 * digit_bits)) & mask)] += 1
                            if n_passes > 7:
                                counts[7 * radix + ((key >> (7 * digit_bits)) & mask)] += 1
    counts = counts.reshape((8, radix))[:n_passes]
    n = source.shape[0]
    active = np.zeros(n_passes, dtype=np.int64)
    n_active = 0
    for digit in range(n_passes):
        if counts[digit].max() < n:  # else every key has the same digit: nothing to do
            active[n_active] = digit
            n_active += 1
        # exclusive prefix sums: where each digit value starts in the output
        running = 0
        for value in range(radix):
            count = counts[digit, value]
            counts[digit, value] = running
            running += count
    return counts, active[:n_active]


@numba.njit(cache=True, nogil=True)
def radix_sort_bits(source: np.ndarray, out: np.ndarray, scratch: np.ndarray, sign: int,
                    magnitude_of_inf: int, key_bits: int, digit_bits: int) -> None:
    """Write the bit patterns of ``source`` sorted as numbers into ``out``.

    ``source`` holds float bit patterns as unsigned integers (``x.view(np.uint64)`` or
    ``np.uint32``); ``sign`` is the sign bit, ``magnitude_of_inf`` the pattern of ``+inf``,
    ``key_bits`` 64 or 32. ``out`` and ``scratch`` have the same length and dtype as
    ``source``; ``scratch`` is overwritten. ``source`` is only read.
    """
    n = source.shape[0]
    counts, active = _histograms(source, sign, magnitude_of_inf, key_bits, digit_bits)
    mask = (1 << digit_bits) - 1
    n_active = active.shape[0]
    if n_active == 0:  # all keys equal (or n <= 1)
        for i in range(n):
            out[i] = source[i]
        return
    # the last pass must write into `out`: choose where the first one writes
    first_into_out = n_active % 2 == 1
    target = out if first_into_out else scratch
    offsets = counts[active[0]]
    shift = np.uint64(active[0] * digit_bits)
    last = n_active == 1
    for i in range(n):
        key = _to_key(source[i], sign, magnitude_of_inf)
        d = (key >> shift) & mask
        target[offsets[d]] = _from_key(key, sign) if last else key
        offsets[d] += 1
    from_out = first_into_out
    for k in range(1, n_active):
        src = out if from_out else scratch
        dst = scratch if from_out else out
        offsets = counts[active[k]]
        shift = np.uint64(active[k] * digit_bits)
        if k == n_active - 1:
            for i in range(n):
                key = src[i]
                d = (key >> shift) & mask
                dst[offsets[d]] = _from_key(key, sign)
                offsets[d] += 1
        else:
            for i in range(n):
                key = src[i]
                d = (key >> shift) & mask
                dst[offsets[d]] = key
                offsets[d] += 1
        from_out = not from_out


@numba.njit(cache=True, nogil=True)
def radix_argsort_bits(source: np.ndarray, out: np.ndarray, order: np.ndarray,
                       key_scratch: np.ndarray, order_scratch: np.ndarray, sign: int,
                       magnitude_of_inf: int, key_bits: int, digit_bits: int) -> None:
    """Stable argsort: ``order`` such that ``source[order]`` is sorted, and that into ``out``.

    Same key mapping and passes as :func:`radix_sort_bits`; each key carries its index, so
    equal keys keep their input order (``np.argsort(kind="stable")``, with ``-0.0`` before
    ``+0.0``). ``order`` and ``order_scratch`` are int64 arrays of the same length.
    """
    n = source.shape[0]
    counts, active = _histograms(source, sign, magnitude_of_inf, key_bits, digit_bits)
    mask = (1 << digit_bits) - 1
    n_active = active.shape[0]
    if n_active == 0:
        for i in range(n):
            out[i] = source[i]
            order[i] = i
        return
    first_into_out = n_active % 2 == 1
    target = out if first_into_out else key_scratch
    target_order = order if first_into_out else order_scratch
    offsets = counts[active[0]]
    shift = np.uint64(active[0] * digit_bits)
    last = n_active == 1
    for i in range(n):
        key = _to_key(source[i], sign, magnitude_of_inf)
        d = (key >> shift) & mask
        position = offsets[d]
        target[position] = _from_key(key, sign) if last else key
        target_order[position] = i
        offsets[d] = position + 1
    from_out = first_into_out
    for k in range(1, n_active):
        src = out if from_out else key_scratch
        dst = key_scratch if from_out else out
        src_order = order if from_out else order_scratch
        dst_order = order_scratch if from_out else order
        offsets = counts[active[k]]
        shift = np.uint64(active[k] * digit_bits)
        final = k == n_active - 1
        for i in range(n):
            key = src[i]
            d = (key >> shift) & mask
            position = offsets[d]
            dst[position] = _from_key(key, sign) if final else key
            dst_order[position] = src_order[i]
            offsets[d] = position + 1
        from_out = not from_out
