// Hardware parser of the flat image stream (spec §9.3): one LOAD_DATA word per call, written
// straight into the addressed core's memories through its load port. It checks the subset of
// spec §9.4 a loader can check word by word (see docs/rtl.md): magic and version, the mesh fits
// this build, capacities within their limits, core records inside the mesh and not repeated,
// counts within both the image's and this build's capacities, a non-zero LFSR seed, and the
// stream's length (complete_o at commit; a word after the end is an error).
module lifchip_loader #(
  parameter int unsigned MeshW    = lifchip_pkg::MESH_WIDTH_DEFAULT,
  parameter int unsigned MeshH    = lifchip_pkg::MESH_HEIGHT_DEFAULT,
  parameter int unsigned Neurons  = lifchip_pkg::NEURONS_PER_CORE_DEFAULT,
  parameter int unsigned Axons    = lifchip_pkg::AXONS_PER_CORE_DEFAULT,
  parameter int unsigned Synapses = lifchip_pkg::SYNAPSES_PER_CORE_DEFAULT,
  parameter int unsigned Fanout   = lifchip_pkg::FANOUT_PER_CORE_DEFAULT,
  parameter int unsigned Profiles = lifchip_pkg::PROFILES_PER_CORE_DEFAULT,
  localparam int unsigned NCores = MeshW * MeshH,
  localparam int unsigned CoreW = (NCores > 1) ? $clog2(NCores) : 1,
  localparam int unsigned DimW = lifchip_pkg::COORD_BITS + 1
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             begin_i,       // LOAD_CTRL = 1
  input  logic             word_valid_i,  // a LOAD_DATA word while loading
  input  logic [31:0]      word_i,
  output logic             ld_we_o,
  output logic [CoreW-1:0] ld_core_o,     // mesh position y * MeshW + x
  output logic [3:0]       ld_sel_o,
  output logic [15:0]      ld_addr_o,
  output logic [31:0]      ld_data_o,
  output logic             complete_o,    // the whole stream arrived and every check passed
  output logic [DimW-1:0]  width_o,
  output logic [DimW-1:0]  height_o,
  output logic             learn_o
);

  localparam logic [3:0] LdHeader = 4'd0;  // same selectors as lifchip_core
  localparam logic [3:0] LdState = 4'd9;

  typedef enum logic [3:0] {
    SHdr, SCoreHdr, SGroup, SProf, SNcfg, SState, SAxon, SSyn, SFan, SEnd, SErr
  } sec_e;

  sec_e        sec_q, sec_d;
  logic [16:0] idx_q, idx_d;         // word index within the section
  logic [31:0] cores_q, cores_d;     // core records announced in the header
  logic [31:0] k_q, k_d;             // core records finished
  logic [DimW-1:0] w_q, w_d, h_q, h_d;
  logic        learn_q, learn_d;
  logic [31:0] cap_q [5];            // effective capacities N, A, S, F, P of the image
  logic [31:0] cap_d [5];
  logic [31:0] cnt_q [5];            // counts P, N, A, S, F of the current core record
  logic [31:0] cnt_d [5];
  logic [CoreW-1:0] core_q, core_d;
  logic [NCores-1:0] seen_q, seen_d;

  // Section lengths of the current core record.
  function automatic logic [31:0] sec_len(sec_e s, logic [31:0] p, logic [31:0] n, logic [31:0] a,
                                          logic [31:0] syn, logic [31:0] f);
    unique case (s)
      SGroup: sec_len = 32'(lifchip_pkg::SYN_GROUPS_PER_CORE);
      SProf: sec_len = 2 * p;
      SNcfg: sec_len = 2 * n;
      SState: sec_len = 2 * n;
      SAxon: sec_len = a;
      SSyn: sec_len = syn;
      SFan: sec_len = f;
      default: sec_len = 32'd0;
    endcase
  endfunction

  // The first section after `s` with words (SEnd-like marker SCoreHdr when the record is over).
  function automatic sec_e next_sec(sec_e s, logic [31:0] p, logic [31:0] n, logic [31:0] a,
                                    logic [31:0] syn, logic [31:0] f);
    sec_e r;
    r = SCoreHdr;
    if (s == SFan) r = SCoreHdr;
    else if (s == SSyn) r = (f != 0) ? SFan : SCoreHdr;
    else if (s == SAxon) r = (syn != 0) ? SSyn : (f != 0) ? SFan : SCoreHdr;
    else if (s == SState) r = (a != 0) ? SAxon : (syn != 0) ? SSyn : (f != 0) ? SFan : SCoreHdr;
    else if (s == SNcfg) r = SState;
    else if (s == SProf) begin
      r = (n != 0) ? SNcfg : (a != 0) ? SAxon : (syn != 0) ? SSyn : (f != 0) ? SFan : SCoreHdr;
    end else if (s == SGroup) begin
      r = (p != 0) ? SProf : (n != 0) ? SNcfg : (a != 0) ? SAxon : (syn != 0) ? SSyn :
          (f != 0) ? SFan : SCoreHdr;
    end
    next_sec = r;
  endfunction

  // Built capacities, in the order of cap_q: N, A, S, F, P.
  function automatic logic [31:0] built_cap(int i);
    unique case (i)
      0: built_cap = 32'(Neurons);
      1: built_cap = 32'(Axons);
      2: built_cap = 32'(Synapses);
      3: built_cap = 32'(Fanout);
      default: built_cap = 32'(Profiles);
    endcase
  endfunction
  function automatic logic [31:0] cap_default(int i);
    unique case (i)
      0: cap_default = 32'(lifchip_pkg::NEURONS_PER_CORE_DEFAULT);
      1: cap_default = 32'(lifchip_pkg::AXONS_PER_CORE_DEFAULT);
      2: cap_default = 32'(lifchip_pkg::SYNAPSES_PER_CORE_DEFAULT);
      3: cap_default = 32'(lifchip_pkg::FANOUT_PER_CORE_DEFAULT);
      default: cap_default = 32'(lifchip_pkg::PROFILES_PER_CORE_DEFAULT);
    endcase
  endfunction
  function automatic logic [31:0] cap_max(int i);
    unique case (i)
      0: cap_max = 32'(lifchip_pkg::NEURONS_PER_CORE_MAX);
      1: cap_max = 32'(lifchip_pkg::AXONS_PER_CORE_MAX);
      2: cap_max = 32'(lifchip_pkg::SYNAPSES_PER_CORE_MAX);
      3: cap_max = 32'(lifchip_pkg::FANOUT_PER_CORE_MAX);
      default: cap_max = 32'(lifchip_pkg::PROFILES_PER_CORE_MAX);
    endcase
  endfunction

  always_comb begin
    logic [31:0] len;
    logic        bad;
    sec_d = sec_q;
    idx_d = idx_q;
    cores_d = cores_q;
    k_d = k_q;
    w_d = w_q;
    h_d = h_q;
    learn_d = learn_q;
    core_d = core_q;
    seen_d = seen_q;
    for (int i = 0; i < 5; i++) begin
      cap_d[i] = cap_q[i];
      cnt_d[i] = cnt_q[i];
    end
    ld_we_o = 1'b0;
    ld_sel_o = LdHeader;
    ld_addr_o = 16'(idx_q);
    ld_data_o = word_i;
    bad = 1'b0;
    len = sec_len(sec_q, cnt_q[0], cnt_q[1], cnt_q[2], cnt_q[3], cnt_q[4]);

    if (word_valid_i) begin
      idx_d = idx_q + 1'b1;
      unique case (sec_q)
        SHdr: begin
          unique case (idx_q)
            17'd0: bad = word_i != 32'(lifchip_pkg::IMAGE_MAGIC);
            17'd1: bad = word_i != 32'(lifchip_pkg::IMAGE_FORMAT_VERSION);
            17'd2: begin
              w_d = DimW'(word_i[7:0]);
              h_d = DimW'(word_i[15:8]);
              learn_d = word_i[16];
              bad = word_i[7:0] == 8'd0 || 32'(word_i[7:0]) > MeshW ||
                    word_i[15:8] == 8'd0 || 32'(word_i[15:8]) > MeshH;
            end
            17'd3, 17'd4, 17'd5, 17'd6, 17'd7: begin
              for (int i = 0; i < 5; i++) begin
                if (32'(idx_q) == 32'(i) + 3) begin
                  cap_d[i] = (word_i == 0) ? cap_default(i) : word_i;
                  bad = word_i > cap_max(i);
                end
              end
            end
            default: begin  // number of core records
              cores_d = word_i;
              bad = word_i > 32'(w_q) * 32'(h_q);
              idx_d = '0;
              k_d = '0;
              sec_d = (word_i == 0) ? SEnd : SCoreHdr;
            end
          endcase
        end
        SCoreHdr: begin
          ld_we_o = idx_q != '0;
          unique case (idx_q)
            17'd0: begin
              logic [CoreW-1:0] pos;
              pos = CoreW'(32'(word_i[15:8]) * MeshW + 32'(word_i[7:0]));
              core_d = pos;
              bad = 32'(word_i[7:0]) >= 32'(w_q) || 32'(word_i[15:8]) >= 32'(h_q) ||
                    seen_q[pos];
              seen_d[pos] = 1'b1;
            end
            17'd1: begin  // P, then N, A, S, F against both capacities
              cnt_d[0] = word_i;
              bad = word_i > cap_q[4] || word_i > built_cap(4);
            end
            17'd2: begin
              cnt_d[1] = word_i;
              bad = word_i > cap_q[0] || word_i > built_cap(0);
            end
            17'd3: begin
              cnt_d[2] = word_i;
              bad = word_i > cap_q[1] || word_i > built_cap(1);
            end
            17'd4: begin
              cnt_d[3] = word_i;
              bad = word_i > cap_q[2] || word_i > built_cap(2);
            end
            17'd5: begin
              cnt_d[4] = word_i;
              bad = word_i > cap_q[3] || word_i > built_cap(3);
            end
            17'd6: bad = word_i == 0 || word_i > 32'((1 << lifchip_pkg::LFSR_BITS) - 1);
            17'd8: begin
              sec_d = SGroup;
              idx_d = '0;
            end
            default: ;
          endcase
        end
        SEnd: bad = 1'b1;  // a word after the last record: the stream is too long
        SErr: ;
        default: begin
          ld_we_o = 1'b1;
          unique case (sec_q)
            SGroup: ld_sel_o = 4'(lifchip_pkg::MEM_GROUP);
            SProf: ld_sel_o = 4'(lifchip_pkg::MEM_PROFILE);
            SNcfg: ld_sel_o = 4'(lifchip_pkg::MEM_NEURON_CFG);
            SState: ld_sel_o = LdState;
            SAxon: ld_sel_o = 4'(lifchip_pkg::MEM_AXON);
            SSyn: ld_sel_o = 4'(lifchip_pkg::MEM_SYNAPSE);
            default: ld_sel_o = 4'(lifchip_pkg::MEM_FANOUT);
          endcase
          if (32'(idx_q) + 1 == len) begin
            idx_d = '0;
            sec_d = next_sec(sec_q, cnt_q[0], cnt_q[1], cnt_q[2], cnt_q[3], cnt_q[4]);
            if (sec_d == SCoreHdr) begin
              k_d = k_q + 1;
              if (k_q + 1 == cores_q) sec_d = SEnd;
            end
          end
        end
      endcase
      if (bad) begin
        sec_d = SErr;
        ld_we_o = 1'b0;
      end
    end

    if (begin_i) begin
      sec_d = SHdr;
      idx_d = '0;
      seen_d = '0;
      k_d = '0;
      cores_d = '0;
      ld_we_o = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sec_q <= SErr;
      idx_q <= '0;
      cores_q <= '0;
      k_q <= '0;
      w_q <= '0;
      h_q <= '0;
      learn_q <= 1'b0;
      core_q <= '0;
      seen_q <= '0;
      for (int i = 0; i < 5; i++) begin
        cap_q[i] <= '0;
        cnt_q[i] <= '0;
      end
    end else begin
      sec_q <= sec_d;
      idx_q <= idx_d;
      cores_q <= cores_d;
      k_q <= k_d;
      w_q <= w_d;
      h_q <= h_d;
      learn_q <= learn_d;
      core_q <= core_d;
      seen_q <= seen_d;
      for (int i = 0; i < 5; i++) begin
        cap_q[i] <= cap_d[i];
        cnt_q[i] <= cnt_d[i];
      end
    end
  end

  assign ld_core_o = core_q;
  assign complete_o = sec_q == SEnd;
  assign width_o = w_q;
  assign height_o = h_q;
  assign learn_o = learn_q;

endmodule
