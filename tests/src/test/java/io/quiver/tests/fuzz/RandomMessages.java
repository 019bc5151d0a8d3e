package io.quiver.tests.fuzz;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.List;
import java.util.Random;

/**
 * Fills any protobuf message with random values by walking its descriptor: every field set with some probability,
 * repeated fields with a few elements, nested messages down to a fixed depth, strings drawn mostly from a pool of
 * names the server knows (so requests reach past the "collection not found" check) and sometimes junk. Driven only
 * by the {@link Random} it is given, so a seed reproduces the message byte for byte.
 */
final class RandomMessages {
    private static final int MAX_DEPTH = 5;
    private final List<String> names;

    /** {@code names}: strings worth using often (collection, field, database, partition names of the sandbox). */
    RandomMessages(List<String> names) {
        this.names = List.copyOf(names);
    }

    /** A message of {@code prototype}'s type with random fields. */
    Message fill(Message prototype, Random r) {
        return fill(prototype.newBuilderForType(), r, 0).build();
    }

    /** Sets one randomly chosen field of {@code b} to a random value (a mutation of an otherwise valid request). */
    void mutateOneField(Message.Builder b, Random r) {
        List<FieldDescriptor> fields = b.getDescriptorForType().getFields();
        FieldDescriptor f = fields.get(r.nextInt(fields.size()));
        b.clearField(f);
        setRandom(b, f, r, 1);
    }

    private Message.Builder fill(Message.Builder b, Random r, int depth) {
        double p = depth == 0 ? 0.7 : 0.5;
        for (FieldDescriptor f : b.getDescriptorForType().getFields()) {
            if (r.nextDouble() < p) {
                setRandom(b, f, r, depth);
            }
        }
        return b;
    }

    private void setRandom(Message.Builder b, FieldDescriptor f, Random r, int depth) {
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth >= MAX_DEPTH) {
            return;
        }
        if (f.isMapField() || f.isRepeated()) {
            int n = r.nextInt(10) == 0 ? r.nextInt(64) : r.nextInt(4);
            for (int i = 0; i < n; i++) {
                b.addRepeatedField(f, value(b, f, r, depth));
            }
        } else {
            b.setField(f, value(b, f, r, depth));
        }
    }

    private Object value(Message.Builder parent, FieldDescriptor f, Random r, int depth) {
        return switch (f.getJavaType()) {
            case INT -> anInt(r);
            case LONG -> aLong(r);
            case FLOAT -> aFloat(r);
            case DOUBLE -> (double) aFloat(r);
            case BOOLEAN -> r.nextBoolean();
            case STRING -> string(r);
            case BYTE_STRING -> ByteString.copyFrom(bytes(r, r.nextInt(4) == 0 ? 4096 : 64));
            case ENUM -> anEnum(f.getEnumType(), r);
            case MESSAGE -> fill(parent.newBuilderForField(f), r, depth + 1).build();
        };
    }

    static int anInt(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Integer.MAX_VALUE;
            case 3 -> Integer.MIN_VALUE;
            case 4 -> r.nextInt(20);
            default -> r.nextInt();
        };
    }

    static long aLong(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> 0L;
            case 1 -> -1L;
            case 2 -> Long.MAX_VALUE;
            case 3 -> Long.MIN_VALUE;
            case 4 -> r.nextInt(20);
            default -> r.nextLong();
        };
    }

    static float aFloat(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> Float.NaN;
            case 1 -> Float.POSITIVE_INFINITY;
            case 2 -> -Float.MAX_VALUE;
            case 3 -> 0f;
            default -> r.nextFloat() * 2 - 1;
        };
    }

    private static Object anEnum(EnumDescriptor e, Random r) {
        return e.getValues().get(r.nextInt(e.getValues().size()));
    }

    String string(Random r) {
        return switch (r.nextInt(10)) {
            case 0 -> "";
            case 1 -> junk(r, r.nextInt(3) == 0 ? 70_000 : 16);
            case 2 -> "{\"" + names.get(r.nextInt(names.size())) + "\": " + r.nextInt() + "}";
            case 3 -> Integer.toString(anInt(r));
            default -> names.get(r.nextInt(names.size()));
        };
    }

    /** Control characters, quotes, brackets and non-ASCII text: names and expressions no parser expects (always valid UTF-16). */
    static String junk(Random r, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(switch (r.nextInt(5)) {
                case 0 -> (char) r.nextInt(0x20);
                case 1 -> "\"'\\()[]{}$%#".charAt(r.nextInt(12));
                case 2 -> r.nextBoolean() ? "\u4e2d\u00e9\u0000" : "\ud83d\ude00"; // CJK, accent, NUL, an emoji (surrogate pair)
                default -> (char) (0x20 + r.nextInt(0x5f));
            });
        }
        return s.toString();
    }

    static byte[] bytes(Random r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }
}
