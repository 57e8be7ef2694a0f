import { sstDynamoArgs } from "@eventwire/store/table";

/** The single table, declared from the same definition the local runner creates it from. */
export const table = new sst.aws.Dynamo("Table", sstDynamoArgs());
