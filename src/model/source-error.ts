/** A reader's complaint about one input file: where, what, and what to do next. */

export type SourceErrorCode =
  'PARSE_ERROR' | 'UNSUPPORTED_TEMPLATE' | 'INVALID_STRUCTURE' | 'IO_ERROR' | 'TOO_LARGE';

/** A file that could not be read, as the scan lists it. */
export interface SourceError {
  file: string;
  line?: number;
  column?: number;
  code: SourceErrorCode;
  message: string;
}

/** Thrown by readers; caught by the scan, which lists the file as errored and goes on. */
export class SourceReadError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly code: SourceErrorCode;

  constructor(props: {
    file: string;
    code: SourceErrorCode;
    message: string;
    line?: number;
    column?: number;
  }) {
    super(
      props.line
        ? `${props.file}:${props.line}: ${props.message}`
        : `${props.file}: ${props.message}`,
    );
    this.name = 'SourceReadError';
    this.file = props.file;
    this.code = props.code;
    this.line = props.line;
    this.column = props.column;
  }

  toSourceError(): SourceError {
    return {
      file: this.file,
      line: this.line,
      column: this.column,
      code: this.code,
      message: this.message,
    };
  }
}
