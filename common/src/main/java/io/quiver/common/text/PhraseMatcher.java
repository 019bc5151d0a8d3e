package io.quiver.common.text;

import java.util.Arrays;

/**
 * Decides whether one document holds a phrase, given for every phrase term (in phrase order) the document's positions
 * of that term shifted by the term's offset in the phrase ({@code position + maxOffset - termOffset}, so an exact phrase
 * gives one position common to all terms). The rules are tantivy's {@code PhraseScorer} (the engine behind Milvus'
 * PHRASE_MATCH), including its documented slop contract:
 * <ul>
 *   <li>slop 0: the shifted positions of all terms intersect;</li>
 *   <li>two terms: some pair of shifted positions is at most {@code slop} apart, in either order (so slop 1 allows one
 *       word in between, slop 2 also an adjacent pair reversed);</li>
 *   <li>more terms: slop is a budget spent over the terms. tantivy's
 *       {@code intersection_count_with_carrying_slop} merges term after term, keeping for every candidate position the
 *       slop spent so far (both ends of a match are kept, the greedy choice its authors describe), and the phrase matches
 *       when the last merge finds a match ("A B C" with slop 1 matches "A X B C" and "A B X C", not "A X B X C").</li>
 * </ul>
 * tantivy's scorer without scores (the path Milvus' bitset collector takes) checks the last term against the whole slop
 * instead of what is left of the budget; Quiver applies the budget to every term, as tantivy's contract says (the
 * decision is in docs/architecture.md). tantivy keeps the slop spent so far in a byte; here it is an int, so budgets
 * above 255 do not wrap. Not thread-safe: one instance per evaluation (it reuses its buffers).
 */
public final class PhraseMatcher {
    private int[] left = new int[16];
    private int leftLen;
    private int[] leftSlops = new int[16];
    private int leftSlopsLen;
    private int[] outPos = new int[16];
    private int[] outSlops = new int[16];
    private int outLen;

    /**
     * @param positions per term, its shifted positions in ascending order in {@code positions[t][0, lengths[t])}
     * @param slop      the slop budget (0 = exact phrase)
     */
    public boolean matches(int[][] positions, int[] lengths, long slop) {
        int terms = positions.length;
        if (terms < 2) {
            throw new IllegalArgumentException("a phrase has at least two terms");
        }
        copyLeft(positions[0], lengths[0]);
        if (slop == 0) {
            for (int t = 1; t < terms && leftLen > 0; t++) {
                leftLen = intersect(left, leftLen, positions[t], lengths[t]);
            }
            return leftLen > 0;
        }
        if (terms == 2) {
            return existsWithSlop(left, leftLen, positions[1], lengths[1], slop);
        }
        leftSlopsLen = 0; // no slop spent yet
        for (int t = 1; t < terms - 1; t++) {
            carry(positions[t], lengths[t], slop, true);
            if (leftLen == 0) {
                return false;
            }
        }
        return carry(positions[terms - 1], lengths[terms - 1], slop, false) > 0;
    }

    private void copyLeft(int[] p, int n) {
        if (left.length < n) {
            left = new int[Math.max(16, n)];
        }
        System.arraycopy(p, 0, left, 0, n);
        leftLen = n;
    }

    /** Sorted-array intersection written into {@code a}; returns its length. */
    static int intersect(int[] a, int aLen, int[] b, int bLen) {
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < aLen && j < bLen) {
            int x = a[i];
            int y = b[j];
            if (x < y) {
                i++;
            } else if (y < x) {
                j++;
            } else {
                a[n++] = x;
                i++;
                j++;
            }
        }
        return n;
    }

    /** tantivy's {@code intersection_exists_with_slop}. */
    static boolean existsWithSlop(int[] a, int aLen, int[] b, int bLen, long slop) {
        int i = 0;
        int j = 0;
        while (i < aLen && j < bLen) {
            int x = a[i];
            int y = b[j];
            if (Math.abs((long) x - y) <= slop) {
                return true;
            } else if (x < y) {
                i++;
            } else {
                j++;
            }
        }
        return false;
    }

    private int slopAt(int i) {
        return i < leftSlopsLen ? leftSlops[i] : 0;
    }

    /**
     * tantivy's {@code intersection_count_with_carrying_slop}: merges the next term's positions into the kept ones,
     * returns the number of matches and, when {@code update}, keeps the merged positions with the slop spent.
     */
    private int carry(int[] right, int rightLen, long maxSlop, boolean update) {
        if (leftLen == 0 || rightLen == 0) {
            if (update) {
                leftLen = 0;
                leftSlopsLen = 0;
            }
            return 0;
        }
        outLen = 0;
        int li = 0;
        int ri = 0;
        int count = 0;
        while (true) {
            int lv = left[li];
            int spent = slopAt(li);
            int rv = right[ri];
            long distance = spent + Math.abs((long) lv - rv);
            if (distance <= maxSlop) {
                boolean leftSmaller = lv < rv;
                int smaller = leftSmaller ? lv : rv;
                int larger = leftSmaller ? rv : lv;
                int[] smallerArr = leftSmaller ? left : right;
                int smallerLen = leftSmaller ? leftLen : rightLen;
                int si = leftSmaller ? li : ri;
                long newSlop = distance;
                add(update, newSlop, smaller);
                while (si + 1 < smallerLen) {
                    int next = smallerArr[si + 1];
                    if (next > larger) {
                        break; // the current one is the best
                    }
                    si++;
                    newSlop = spent + Math.abs((long) next - larger);
                    add(update, newSlop, next);
                }
                add(update, newSlop, larger);
                count++;
                li++;
                ri++;
            } else if (lv < rv) {
                li++;
            } else {
                ri++;
            }
            if (li >= leftLen || ri >= rightLen) {
                finishRest(li, ri, right, rightLen, maxSlop, update);
                break;
            }
        }
        if (update) {
            swapOut();
        }
        return count;
    }

    private void finishRest(int li, int ri, int[] right, int rightLen, long maxSlop, boolean update) {
        if (li >= leftLen) {
            int lv = left[leftLen - 1];
            int spent = leftSlopsLen == 0 ? 0 : leftSlops[leftSlopsLen - 1];
            for (int r = ri; r < rightLen; r++) {
                long s = Math.abs((long) lv - right[r]) + spent;
                if (s <= maxSlop) {
                    add(update, s, right[r]);
                }
            }
        } else {
            int rv = right[rightLen - 1];
            for (int l = li; l < leftLen; l++) {
                long s = Math.abs((long) left[l] - rv) + slopAt(l);
                if (s <= maxSlop) {
                    add(update, s, left[l]);
                }
            }
        }
    }

    /** Appends (position, slop) to the merged list; a repeated position keeps the smaller slop. */
    private void add(boolean update, long slop, int position) {
        if (!update) {
            return;
        }
        int s = (int) Math.min(slop, Integer.MAX_VALUE);
        if (outLen > 0 && outPos[outLen - 1] == position) {
            outSlops[outLen - 1] = Math.min(outSlops[outLen - 1], s);
            return;
        }
        if (outLen >= outPos.length || outLen >= outSlops.length) {
            int grown = Math.max(16, outLen * 2);
            outPos = Arrays.copyOf(outPos, grown);
            outSlops = Arrays.copyOf(outSlops, grown);
        }
        outPos[outLen] = position;
        outSlops[outLen] = s;
        outLen++;
    }

    private void swapOut() {
        int[] p = left;
        left = outPos;
        outPos = p;
        int[] s = leftSlops;
        leftSlops = outSlops;
        outSlops = s;
        leftLen = outLen;
        leftSlopsLen = outLen;
        outLen = 0;
    }
}
