class SampleTender:
    code = "sample_tender"
    label = "Sample tender"
    member_purpose = None
    wallet_key = None

    def charge(self, order, payment):
        return {"ok": True}

    def refund(self, order, payment, amount_fen, return_doc):
        return {"refunded": amount_fen}
