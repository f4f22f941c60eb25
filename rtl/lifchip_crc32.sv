// CRC-32/IEEE of the flat image stream (spec §9.3): reflected polynomial 0xEDB88320, initial value
// 0xFFFFFFFF, final XOR 0xFFFFFFFF, over each 32-bit word as four little-endian bytes (which, for a
// reflected CRC, is the word's 32 bits from bit 0 up). One word per cycle.
module lifchip_crc32 (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        init_i,   // LOAD_CTRL begin
  input  logic        valid_i,  // a LOAD_DATA word
  input  logic [31:0] word_i,
  output logic [31:0] crc_o     // CRC of the words since init (final XOR applied)
);

  localparam logic [31:0] Poly = 32'hEDB88320;

  function automatic logic [31:0] crc_word(logic [31:0] crc, logic [31:0] w);
    logic [31:0] c;
    c = crc ^ w;
    for (int i = 0; i < 32; i++) c = (c >> 1) ^ (c[0] ? Poly : 32'd0);
    crc_word = c;
  endfunction

  logic [31:0] crc_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) crc_q <= '1;
    else if (init_i) crc_q <= '1;
    else if (valid_i) crc_q <= crc_word(crc_q, word_i);
  end
  assign crc_o = ~crc_q;

endmodule
