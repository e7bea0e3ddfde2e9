// Minimal typings for the part of parquetjs-lite the store uses (the package ships none).
declare module 'parquetjs-lite' {
  export class ParquetSchema {
    constructor(fields: Record<string, { type: string; compression?: string; statistics?: boolean; optional?: boolean }>);
  }
  export interface ParquetOutputStream {
    write(buf: Buffer, cb: (err?: Error | null) => void): void;
    end(cb: (err?: Error | null) => void): void;
  }
  export class ParquetWriter {
    static openStream(schema: ParquetSchema, out: ParquetOutputStream, opts?: Record<string, unknown>): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    setMetadata(key: string, value: string): void;
    close(): Promise<void>;
  }
  const parquet: { ParquetSchema: typeof ParquetSchema; ParquetWriter: typeof ParquetWriter };
  export default parquet;
}
