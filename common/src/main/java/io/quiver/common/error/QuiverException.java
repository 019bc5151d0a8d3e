package io.quiver.common.error;

import static java.util.Objects.requireNonNull;

/** The one exception domain code throws: an {@link ErrorCode} plus a specific detail for the user. */
public class QuiverException extends RuntimeException {
    private final ErrorCode errorCode;

    public QuiverException(ErrorCode errorCode, String detail) {
        this(errorCode, detail, null);
    }

    public QuiverException(ErrorCode errorCode, String detail, Throwable cause) {
        super(detail == null || detail.isEmpty() ? errorCode.message() : errorCode.message() + ": " + detail, cause);
        this.errorCode = requireNonNull(errorCode, "errorCode is null");
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    public static QuiverException invalid(String fmt, Object... args) {
        return new QuiverException(ErrorCode.PARAMETER_INVALID, args.length == 0 ? fmt : String.format(fmt, args));
    }

    public static QuiverException of(ErrorCode code, String fmt, Object... args) {
        return new QuiverException(code, args.length == 0 ? fmt : String.format(fmt, args));
    }
}
