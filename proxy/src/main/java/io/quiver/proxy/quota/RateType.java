package io.quiver.proxy.quota;

/** What a limited request spends, with Milvus' rate type names (the {@code msg_type} label of its metrics). */
public enum RateType {
    DML_INSERT("DMLInsert", true),
    DML_UPSERT("DMLUpsert", true),
    DML_DELETE("DMLDelete", true),
    DQL_SEARCH("DQLSearch", false),
    DQL_QUERY("DQLQuery", false);

    private final String milvusName;
    private final boolean write;

    RateType(String milvusName, boolean write) {
        this.milvusName = milvusName;
        this.write = write;
    }

    public String milvusName() {
        return milvusName;
    }

    public boolean write() {
        return write;
    }
}
