package io.quiver.common.error;

import io.milvus.grpc.Status;
import io.quiver.storage.StorageException;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one mapper from exceptions to Milvus {@code common.Status}: {@code code} and the legacy
 * {@code error_code} always set together (the Java SDK reads either, Node only the legacy one).
 */
public final class Statuses {
    private static final Logger LOG = LoggerFactory.getLogger(Statuses.class);
    private static final Status SUCCESS = Status.newBuilder().setCode(0).setErrorCodeValue(0).build();

    private Statuses() {}

    public static Status success() {
        return SUCCESS;
    }

    public static boolean isOk(Status s) {
        return s.getCode() == 0 && s.getErrorCodeValue() == 0;
    }

    public static Status of(ErrorCode code, String reason) {
        return Status.newBuilder()
                .setCode(code.code())
                .setErrorCode(code.legacy())
                .setReason(reason)
                .setRetriable(code.retriable())
                .build();
    }

    public static Status of(QuiverException e) {
        return of(e.errorCode(), e.getMessage());
    }

    /** Maps any throwable; unexpected ones are logged once here. */
    public static Status fromThrowable(Throwable t) {
        Throwable e = unwrap(t);
        if (e instanceof QuiverException q) {
            return of(q);
        }
        if (e instanceof StorageException s) {
            LOG.warn("storage failure: {}", s.getMessage());
            return of(s.retriable() ? ErrorCode.IO_FAILED : ErrorCode.UNEXPECTED, "storage: " + s.getMessage());
        }
        if (e instanceof StatusRuntimeException sre) {
            return switch (sre.getStatus().getCode()) {
                case DEADLINE_EXCEEDED -> of(ErrorCode.TIMEOUT, sre.getMessage());
                case CANCELLED -> of(ErrorCode.CANCELED, sre.getMessage());
                case UNAVAILABLE -> of(ErrorCode.SERVICE_UNAVAILABLE, sre.getMessage());
                default -> of(ErrorCode.UNEXPECTED, sre.getMessage());
            };
        }
        LOG.error("unexpected error", e);
        return of(ErrorCode.UNEXPECTED, String.valueOf(e));
    }

    /** Turns a non-success status from another role back into an exception (for internal calls). */
    public static void check(Status s) {
        if (!isOk(s)) {
            throw toException(s);
        }
    }

    public static QuiverException toException(Status s) {
        return new QuiverException(ErrorCode.fromCode(s.getCode()), stripPrefix(s));
    }

    private static String stripPrefix(Status s) {
        ErrorCode c = ErrorCode.fromCode(s.getCode());
        String r = s.getReason();
        String p = c.message() + ": ";
        return r.startsWith(p) ? r.substring(p.length()) : (r.equals(c.message()) ? "" : r);
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof java.util.concurrent.CompletionException
                || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
