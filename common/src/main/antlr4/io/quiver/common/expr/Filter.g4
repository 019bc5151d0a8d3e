// The Quiver boolean filter language: the Milvus 2.5 expression language (plus `is [not] null`,
// `0o` octal literals, `phrase_match`). Parsed by ExprPlanner, which type-checks the tree against a collection schema.
//
// Precedence, tightest first: postfix paths, `**`, unary - + ~, * / %, + -, << >>, in / like,
// comparisons (with chained ranges), `is [not] null`, `&`, `^`, `|`, not, and, or.
grammar Filter;

filter: expr? EOF;

expr
    : IntegerConstant                                               # Integer
    | FloatingConstant                                              # Floating
    | BooleanConstant                                               # Boolean
    | StringLiteral                                                 # String
    | path                                                          # Field
    | LBRACE Identifier RBRACE                                      # Template
    | LPAREN expr RPAREN                                            # Parens
    | LBRACK (expr (COMMA expr)* COMMA?)? RBRACK                    # Array
    | EXISTS expr                                                   # Exists
    | fn=(JSON_CONTAINS | JSON_CONTAINS_ALL | JSON_CONTAINS_ANY
        | ARRAY_CONTAINS | ARRAY_CONTAINS_ALL | ARRAY_CONTAINS_ANY)
        LPAREN expr COMMA expr RPAREN                               # Contains
    | ARRAY_LENGTH LPAREN path RPAREN                               # ArrayLength
    | fn=(TEXT_MATCH | PHRASE_MATCH) LPAREN path COMMA expr (COMMA expr)? RPAREN  # TextMatch
    | Identifier LPAREN (expr (COMMA expr)*)? RPAREN                # Call
    | <assoc=right> expr POW expr                                   # Power
    | op=(ADD | SUB | BNOT) expr                                    # Unary
    | expr op=(MUL | DIV | MOD) expr                                # MulDivMod
    | expr op=(ADD | SUB) expr                                      # AddSub
    | expr op=(SHL | SHR) expr                                      # Shift
    | expr NOT? IN expr                                             # Term
    | expr LIKE expr                                                # Like
    | expr op1=(LT | LE) path op2=(LT | LE) expr                    # Range
    | expr op1=(GT | GE) path op2=(GT | GE) expr                    # ReverseRange
    | expr op=(LT | LE | GT | GE) expr                              # Relational
    | expr op=(EQ | NE) expr                                        # Equality
    | expr IS NOT? NULL                                             # IsNull
    | expr op=(BAND | BXOR | BOR) expr                              # Bitwise
    | NOT expr                                                      # Not
    | expr AND expr                                                 # And
    | expr OR expr                                                  # Or
    ;

// A field, `$meta`, or a bare dynamic key, followed by JSON keys / array indexes: f["a"][0]
path: (Identifier | META) (LBRACK (StringLiteral | IntegerConstant) RBRACK)*;

LBRACE: '{';
RBRACE: '}';
LPAREN: '(';
RPAREN: ')';
LBRACK: '[';
RBRACK: ']';
COMMA: ',';

LT: '<';
LE: '<=';
GT: '>';
GE: '>=';
EQ: '==';
NE: '!=';

ADD: '+';
SUB: '-';
MUL: '*';
DIV: '/';
MOD: '%';
POW: '**';
SHL: '<<';
SHR: '>>';
BAND: '&';
BOR: '|';
BXOR: '^';
BNOT: '~';

AND: '&&' | 'and' | 'AND';
OR: '||' | 'or' | 'OR';
NOT: '!' | 'not' | 'NOT';
IN: 'in' | 'IN';
LIKE: 'like' | 'LIKE';
EXISTS: 'exists' | 'EXISTS';
IS: 'is' | 'IS';
NULL: 'null' | 'NULL';

JSON_CONTAINS: 'json_contains' | 'JSON_CONTAINS';
JSON_CONTAINS_ALL: 'json_contains_all' | 'JSON_CONTAINS_ALL';
JSON_CONTAINS_ANY: 'json_contains_any' | 'JSON_CONTAINS_ANY';
ARRAY_CONTAINS: 'array_contains' | 'ARRAY_CONTAINS';
ARRAY_CONTAINS_ALL: 'array_contains_all' | 'ARRAY_CONTAINS_ALL';
ARRAY_CONTAINS_ANY: 'array_contains_any' | 'ARRAY_CONTAINS_ANY';
ARRAY_LENGTH: 'array_length' | 'ARRAY_LENGTH';
TEXT_MATCH: 'text_match' | 'TEXT_MATCH';
PHRASE_MATCH: 'phrase_match' | 'PHRASE_MATCH';

BooleanConstant: 'true' | 'True' | 'TRUE' | 'false' | 'False' | 'FALSE';

FloatingConstant
    : Digits? '.' Digits Exponent?
    | Digits '.' Exponent?
    | Digits Exponent
    | '0' [xX] (HexDigits? '.' HexDigits | HexDigits '.'?) [pP] [+-]? Digits
    ;

IntegerConstant
    : [1-9] [0-9]*
    | '0' [0-7]*
    | '0' [oO] [0-7]+
    | '0' [xX] HexDigits
    | '0' [bB] [01]+
    ;

META: '$meta';
Identifier: [a-zA-Z_] [a-zA-Z_0-9]*;

StringLiteral
    : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"'
    | '\'' (~['\\\r\n] | '\\' ~[\r\n])* '\''
    ;

// Only matches when no closing quote follows on the line (the longer StringLiteral wins otherwise);
// the planner turns it into "unterminated string literal at line:col".
UnterminatedString
    : '"' (~["\\\r\n] | '\\' ~[\r\n])* '\\'?
    | '\'' (~['\\\r\n] | '\\' ~[\r\n])* '\\'?
    ;

Whitespace: [ \t\r\n]+ -> skip;

fragment Digits: [0-9]+;
fragment HexDigits: [0-9a-fA-F]+;
fragment Exponent: [eE] [+-]? Digits;
