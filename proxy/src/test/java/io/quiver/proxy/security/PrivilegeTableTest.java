package io.quiver.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.milvus.grpc.CommonProto;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.PrivilegeExt;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The privilege table against the service it guards: every RPC of {@code MilvusService} has an entry (a new RPC
 * fails here until someone decides what it needs), and every entry for an RPC Milvus checks is exactly Milvus'
 * (the {@code privilege_ext_obj} option of its request message in the SDK's {@code milvus.proto}).
 */
class PrivilegeTableTest {
    /** RPCs Milvus leaves unchecked and Quiver checks: the only entries allowed to have no option behind them. */
    private static final Set<String> STRICTER = Set.of("HasCollection", "GetPartitionStatistics", "GetPersistentSegmentInfo",
            "GetQuerySegmentInfo", "GetReplicas");

    private static Descriptor requestType(MethodDescriptor<?, ?> m) {
        return ((Message) ((MethodDescriptor.PrototypeMarshaller<?>) m.getRequestMarshaller()).getMessagePrototype()).getDescriptorForType();
    }

    @Test
    void everyRpcHasAnEntryAndEveryEntryAnRpc() {
        Set<String> rpcs = MilvusServiceGrpc.getServiceDescriptor().getMethods().stream()
                .map(MethodDescriptor::getBareMethodName).collect(Collectors.toSet());
        assertThat(PrivilegeTable.all().keySet()).containsExactlyInAnyOrderElementsOf(rpcs);
    }

    @Test
    void checkedEntriesAreMilvusTable() {
        int compared = 0;
        for (MethodDescriptor<?, ?> m : MilvusServiceGrpc.getServiceDescriptor().getMethods()) {
            String name = m.getBareMethodName();
            Descriptor req = requestType(m);
            PrivilegeTable.Rule rule = PrivilegeTable.rule(name).orElseThrow();
            boolean milvusChecks = req.getOptions().hasExtension(CommonProto.privilegeExtObj);
            if (!milvusChecks) {
                assertThat(rule instanceof PrivilegeTable.Rule.Check || rule instanceof PrivilegeTable.Rule.Each)
                        .as("%s is unchecked in Milvus; checked here only if listed as stricter", name).isEqualTo(STRICTER.contains(name));
                continue;
            }
            PrivilegeExt ext = req.getOptions().getExtension(CommonProto.privilegeExtObj);
            String milvusPrivilege = ext.getObjectPrivilege().name().substring("Privilege".length());
            switch (rule) {
                case PrivilegeTable.Rule.Check c -> {
                    assertThat(c.privilege().name()).as(name).isEqualTo(milvusPrivilege);
                    assertThat(c.privilege().object().name()).as(name).isEqualTo(ext.getObjectType().name());
                    assertThat(fieldNumber(req, c.nameField())).as(name).isEqualTo(Math.max(ext.getObjectNameIndex(), -1));
                    assertThat(ext.getObjectNameIndexs()).as(name).isZero();
                }
                case PrivilegeTable.Rule.Each e -> {
                    assertThat(e.privilege().name()).as(name).isEqualTo(milvusPrivilege);
                    assertThat(fieldNumber(req, e.namesField())).as(name).isEqualTo(ext.getObjectNameIndexs());
                }
                default -> throw new AssertionError(name + " is checked by Milvus but not here: " + rule);
            }
            compared++;
        }
        assertThat(compared).isGreaterThanOrEqualTo(70);
    }

    @Test
    void everyNamedFieldExists() {
        Map<String, Descriptor> requests = MilvusServiceGrpc.getServiceDescriptor().getMethods().stream()
                .collect(Collectors.toMap(MethodDescriptor::getBareMethodName, PrivilegeTableTest::requestType));
        PrivilegeTable.all().forEach((method, rule) -> {
            String field = switch (rule) {
                case PrivilegeTable.Rule.Check c -> c.nameField();
                case PrivilegeTable.Rule.Each e -> e.namesField();
                default -> null;
            };
            if (field != null) {
                FieldDescriptor f = requests.get(method).findFieldByName(field);
                assertThat(f).as("%s.%s", method, field).isNotNull();
                assertThat(f.isRepeated()).as("%s.%s repeated", method, field).isEqualTo(rule instanceof PrivilegeTable.Rule.Each);
            }
        });
    }

    private static int fieldNumber(Descriptor d, String field) {
        return field == null ? -1 : d.findFieldByName(field).getNumber();
    }
}
