package io.quiver.index;

/** An invalid index type, metric or build/search parameter; the message is meant for end users. */
public class IndexParamException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public IndexParamException(String message) {
    super(message);
  }
}
