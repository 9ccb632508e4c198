class SampleTender:
    code = "sample_tender"
    label = "Sample tender"

    def charge(self, order, payment):
        return {"ok": True}

    def refund(self, order, payment, amount_fen, return_doc):
        return {"refunded": amount_fen}
