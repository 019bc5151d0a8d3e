package io.quiver.tests.fuzz;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Messages as plain bytes (the tests module cannot depend on quiver-common: its generated Milvus classes would
 * shadow the SDK's), for calls that must put exactly the given bytes on the wire (a request that does not
 * decode, in the tests of hostile input and the API fuzzer) or read a response without decoding it.
 */
final class ByteArrayMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    public static final ByteArrayMarshaller INSTANCE = new ByteArrayMarshaller();

    private ByteArrayMarshaller() {}

    /** A unary method named {@code fullMethodName} whose request and response are raw bytes. */
    public static MethodDescriptor<byte[], byte[]> unary(String fullMethodName) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(fullMethodName).setRequestMarshaller(INSTANCE).setResponseMarshaller(INSTANCE).build();
    }

    @Override
    public InputStream stream(byte[] value) {
        return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
        try {
            return stream.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
