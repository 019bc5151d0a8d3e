package io.quiver.common.text;

/**
 * One token an analyzer produced, as Milvus' RunAnalyzer reports it.
 *
 * @param text           the token's text after every filter
 * @param startOffset    UTF-8 byte offset of the token's first byte in the analysed text
 * @param endOffset      UTF-8 byte offset just past the token's last byte
 * @param position       the token's position: its ordinal for the standard and whitespace tokenizers, the character
 *                       offset of its start for jieba (Milvus' positions); filters never renumber positions
 * @param positionLength positions the token spans (1, or the characters a jieba token covers)
 */
public record AnalyzerToken(String text, int startOffset, int endOffset, int position, int positionLength) {
    public AnalyzerToken withText(String newText) {
        return new AnalyzerToken(newText, startOffset, endOffset, position, positionLength);
    }
}
